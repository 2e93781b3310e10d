"""Reading files in worker processes that are killed on time and bounded in memory.

The per-file time limit (`file_timeout`) cannot be a signal inside the reader: a reader stuck in
C code (an XML parser, zlib, a regular expression) does not see it until the call returns. So
each file is read in a worker process; when it runs past its time the parent kills the worker
(SIGKILL), reports the file as unreadable (INP001) and starts a new worker for the files left.
Each worker also runs under an address-space limit (`memory_mb` more than it holds when it
starts): an allocation past it fails with MemoryError, which becomes an INP001 for that file; a
worker that dies for any other reason is reported the same way. The other files are read.

Workers are forked (they inherit the parent's modules and settings: the OCR switch, a test's
monkeypatch), ignore SIGINT (the parent stops them) and are killed when the parent dies
(PR_SET_PDEATHSIG), so a SIGTERM or SIGKILL of the run never leaves them blocked.
"""
from __future__ import annotations

import multiprocessing
import signal
import sys
import time
from multiprocessing.connection import wait

# the limit of this process when it is a worker (read by auditor.pipeline to name it)
WORKER_MEMORY_MB: float | None = None


def usable() -> bool:
    """Forked workers (POSIX); elsewhere reading stays in process."""
    return sys.platform != "win32" and "fork" in multiprocessing.get_all_start_methods()


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG
    except (OSError, AttributeError):       # pragma: no cover - no prctl
        pass


def limit_memory(extra_mb: float | None) -> None:
    """This process may map at most `extra_mb` more than it does now (RLIMIT_AS)."""
    global WORKER_MEMORY_MB
    if not extra_mb:
        return
    try:
        import resource

        from auditor.engine.run import _vm_size
    except ImportError:                     # pragma: no cover - not POSIX
        return
    now = _vm_size()
    if now is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + int(extra_mb * 1024 * 1024)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):
            return
    WORKER_MEMORY_MB = extra_mb


def _worker(conn, job, memory_mb: float | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent()
    limit_memory(memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, args = task
        try:
            result = job(*args)
        except MemoryError:
            result = MemoryError()
        try:
            conn.send((index, result))
        except MemoryError:
            conn.send((index, MemoryError()))
        except (OSError, ValueError):
            return
        del result


class _Worker:
    def __init__(self, ctx, job, memory_mb):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, job, memory_mb), daemon=True)
        # SIGINT/SIGTERM held while forking: the worker ignores them before it can see one, and the
        # parent gets a Ctrl-C of that moment as soon as the worker exists
        held = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            self.proc.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        child.close()
        self.task: int | None = None
        self.started = 0.0

    def give(self, index: int, args) -> None:
        self.task = index
        self.started = time.monotonic()
        try:
            self.conn.send((index, args))
        except (OSError, ValueError):
            pass                # a worker that died: its sentinel tells, and the task is reported

    def kill(self) -> None:
        try:
            self.proc.kill()
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def read_all(job, tasks: list[tuple], *, jobs: int, seconds: float | None, memory_mb: float | None,
             on_timeout, on_crash, progress=None) -> list:
    """`job(*task)` for each task in up to `jobs` worker processes, results in task order. A task
    past `seconds` gets `on_timeout(task)`, one whose worker died or ran out of memory
    `on_crash(task, why)`."""
    ctx = multiprocessing.get_context("fork")
    results: list = [None] * len(tasks)
    todo = list(range(len(tasks)))[::-1]
    done = 0
    workers: list[_Worker] = []
    try:
        for _ in range(max(1, min(jobs, len(tasks)))):
            workers.append(_Worker(ctx, job, memory_mb))
        for w in workers:
            if todo:
                index = todo.pop()
                w.give(index, tasks[index])
        while any(w.task is not None for w in workers):
            busy = [w for w in workers if w.task is not None]
            timeout = None
            if seconds:
                timeout = max(0.0, min(w.started + seconds for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout)
            now = time.monotonic()
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                index = w.task
                finished = False
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        got_index, result = w.conn.recv() if w.conn.poll() else (None, None)
                    except (EOFError, OSError):
                        got_index, result = None, None
                    if got_index == index:
                        results[index] = on_crash(tasks[index], "memory") if isinstance(result, MemoryError) \
                            else result
                        finished = True
                        w.task = None
                    elif not w.proc.is_alive() or w.proc.sentinel in ready:
                        w.kill()
                        results[index] = on_crash(tasks[index], _exit_reason(w.proc.exitcode))
                        finished = True
                if not finished and seconds and now - w.started >= seconds:
                    w.kill()
                    results[index] = on_timeout(tasks[index])
                    finished = True
                if finished and w.task is not None:      # killed: a fresh worker for the files left
                    w.task = None
                    if todo:
                        workers[i] = w = _Worker(ctx, job, memory_mb)
                if finished:
                    done += 1
                    if progress:
                        progress(done, len(tasks))
                    if todo:
                        index = todo.pop()
                        w.give(index, tasks[index])
    finally:
        for w in workers:
            if w.task is not None or not w.proc.is_alive():
                w.kill()
            else:
                w.stop()
    return results


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"


__all__ = ["read_all", "usable", "limit_memory", "WORKER_MEMORY_MB"]
