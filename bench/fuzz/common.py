"""Shared plumbing of the atheris harnesses in bench/fuzz/.

Each harness is `python bench/fuzz/fuzz_<target>.py [libFuzzer flags]`. By default a
harness *records* failures and keeps going, so one run of a few minutes can find several
distinct bugs instead of stopping at the first:

    out/<harness>/stats.json          executions, elapsed seconds, unique failures (rewritten every few seconds)
    out/<harness>/failures/<sig>.bin  the smallest input seen for each failure signature
    out/<harness>/failures/<sig>.txt  its traceback
    out/<harness>/corpus/             the working corpus (seeded from the repository's fixtures)

An input running longer than FUZZ_HANG_SECONDS (default 10) is stopped and recorded as a
`Hang` failure (the signature names the frame it was stopped in).
A failure signature is the exception type plus the innermost frame inside `auditor/`
(or the innermost frame at all), so the same bug reached by many inputs is one entry.
With FUZZ_RAISE=1 the harness re-raises instead, so libFuzzer itself stops, writes
crash-<sha1> and can minimize it (`-minimize_crash=1 -runs=20000 crash-...`).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TEXT_SEEDS = sorted({*REPO.glob("tests/fixtures/*.txt"), *REPO.glob("tests/fixtures/*/*.txt"),
                     *REPO.glob("sample_data/*.txt")}, key=str)
XLSX_SEEDS = sorted(REPO.glob("sample_data/*.xlsx"))
DOCX_SEEDS = sorted(REPO.glob("sample_data/*.docx"))

SLOW_SECONDS = float(os.environ.get("FUZZ_SLOW_SECONDS", "5"))


class Expected(Exception):
    """Raised by a harness body for an outcome the target promises (a user-facing refusal)."""


class InvariantBroken(AssertionError):
    """A property the target must keep (not an exception of the target itself)."""


class Hang(BaseException):
    """An input ran past FUZZ_HANG_SECONDS (default 10). A BaseException so that no target's
    `except Exception` swallows it, like auditor.pipeline.FileTimeout."""


HANG_SECONDS = float(os.environ.get("FUZZ_HANG_SECONDS", "10"))


def _on_alarm(signum, frame):
    raise Hang(f"still running after {HANG_SECONDS:g} s")


class Masked(Exception):
    """A reader's catch-all turned an exception of auditor's own code into a FormatError.
    The user still gets a 'damaged file' message; recorded so the cause can be judged."""


def _auditor_frame(tb, outermost: bool = False) -> str | None:
    """Innermost frame in auditor/ ("auditor/ingest/text.py:88:parse_text"); for a hang the
    outermost one without its line (where it was stopped varies, the entry point does not)."""
    frames = traceback.extract_tb(tb)
    for fr in (frames if outermost else reversed(frames)):
        if f"{os.sep}auditor{os.sep}" in fr.filename:
            rel = fr.filename.split(f"{os.sep}auditor{os.sep}", 1)[1]
            return f"auditor/{rel}:{fr.name}" if outermost else f"auditor/{rel}:{fr.lineno}:{fr.name}"
    if frames:
        fr = frames[-1]
        return f"{Path(fr.filename).name}:{fr.lineno}:{fr.name}"
    return None


def masked_origin(e: BaseException) -> BaseException | None:
    """A FormatError raised `from None` over an exception of auditor's own code: the
    reader's catch-all turned a bug into a 'file is damaged' message. Returns the
    original exception when its innermost frame is in auditor/ (not openpyxl/docx/lxml)."""
    inner = e.__context__ or e.__cause__
    if inner is None or inner.__traceback__ is None:
        return None
    frames = traceback.extract_tb(inner.__traceback__)
    if frames and f"{os.sep}auditor{os.sep}" in frames[-1].filename:
        return inner
    return None


class Recorder:
    def __init__(self, name: str):
        self.name = name
        self.out = Path(os.environ.get("FUZZ_OUT", HERE / "out")) / name
        (self.out / "failures").mkdir(parents=True, exist_ok=True)
        (self.out / "corpus").mkdir(parents=True, exist_ok=True)
        self.start = time.time()
        self.execs = 0
        self.failures: dict[str, dict] = {}
        self.slowest = 0.0
        self._last_write = 0.0
        self.raise_mode = os.environ.get("FUZZ_RAISE") == "1"
        stats = self.out / "stats.json"
        if stats.exists() and os.environ.get("FUZZ_APPEND") == "1":
            old = json.loads(stats.read_text())
            self.failures = old.get("failures", {})

    # ------------------------------------------------------------------ corpus
    def seed(self, items: list[bytes]) -> Path:
        corpus = self.out / "corpus"
        if not any(corpus.iterdir()):
            for data in items:
                (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
        return corpus

    # ------------------------------------------------------------------ running
    def run(self, body, data: bytes) -> None:
        self.execs += 1
        t0 = time.perf_counter()
        if HANG_SECONDS > 0:
            signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            body(data)
        except Expected:
            pass
        except (Exception, Hang) as e:  # noqa: BLE001 - every other exception is a finding
            if self.raise_mode:
                raise
            self._record(e, data)
            if isinstance(e, Hang):
                t0 = time.perf_counter()          # recorded as a hang, not again as slow
        finally:
            if HANG_SECONDS > 0:
                signal.setitimer(signal.ITIMER_REAL, 0)
            took = time.perf_counter() - t0
            if took > self.slowest:
                self.slowest = took
            if took > SLOW_SECONDS:
                self._record_slow(took, data)
            now = time.time()
            if now - self._last_write > 5:
                self.write()

    def _record(self, e: BaseException, data: bytes) -> None:
        where = _auditor_frame(e.__traceback__, outermost=isinstance(e, Hang))
        sig_text = f"{type(e).__name__}@{where}"
        sig = hashlib.sha1(sig_text.encode()).hexdigest()[:12]
        entry = self.failures.get(sig)
        if entry is None:
            entry = self.failures[sig] = {"signature": sig_text, "count": 0, "first_exec": self.execs,
                                          "message": str(e)[:300], "size": None}
            sys.stderr.write(f"\n=== {self.name}: new failure {sig_text}: {str(e)[:200]}\n")
        entry["count"] += 1
        if entry["size"] is None or len(data) < entry["size"]:
            entry["size"] = len(data)
            entry["message"] = str(e)[:300]
            (self.out / "failures" / f"{sig}.bin").write_bytes(data)
            (self.out / "failures" / f"{sig}.txt").write_text(
                "".join(traceback.format_exception(e)), encoding="utf-8")
            self.write()

    def _record_slow(self, seconds: float, data: bytes) -> None:
        sig = "slow-" + hashlib.sha1(data).hexdigest()[:8]
        if len([k for k in self.failures if k.startswith("slow-")]) < 20:
            self.failures[sig] = {"signature": f"slow input ({seconds:.1f} s)", "count": 1,
                                  "first_exec": self.execs, "message": "", "size": len(data)}
            (self.out / "failures" / f"{sig}.bin").write_bytes(data)
            self.write()

    def write(self) -> None:
        self._last_write = time.time()
        stats = {"harness": self.name, "executions": self.execs,
                 "seconds": round(time.time() - self.start, 1),
                 "exec_per_s": round(self.execs / max(1e-9, time.time() - self.start), 1),
                 "slowest_exec_s": round(self.slowest, 3),
                 "unique_failures": len(self.failures), "failures": self.failures}
        (self.out / "stats.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")


def main(name: str, body, seeds: list[bytes], *, custom_mutator=None, instrument: tuple[str, ...] = ("auditor",),
         max_len: int = 65536, dictionary: list[str] | None = None, pre_import=None) -> None:
    """Instrument the target packages, seed the corpus, and hand over to libFuzzer."""
    import atheris

    rec = Recorder(name)
    argv = list(sys.argv)
    if not any(a.startswith("-max_len=") for a in argv):
        argv.append(f"-max_len={max_len}")
    if dictionary and not any(a.startswith("-dict=") for a in argv):
        path = rec.out / "dict.txt"
        path.write_text("".join(f'"{_dict_escape(w)}"\n' for w in dictionary), encoding="ascii")
        argv.append(f"-dict={path}")
    if not any(a.startswith("-timeout=") for a in argv):
        # hangs are caught per input by our own SIGALRM (Hang, recorded like a crash, run goes on);
        # libFuzzer's own -timeout would stop the whole run at the first one
        argv.append("-timeout=0" if HANG_SECONDS > 0 else "-timeout=60")
    if HANG_SECONDS > 0:
        signal.signal(signal.SIGALRM, _on_alarm)
    if not any(not a.startswith("-") for a in argv[1:]):
        argv.append(str(rec.seed(seeds)))
    with atheris.instrument_imports(include=list(instrument)):
        if pre_import is not None:
            pre_import()

    def one(data: bytes) -> None:
        rec.run(body, data)

    import atexit

    atexit.register(rec.write)
    if custom_mutator is not None:
        atheris.Setup(argv, one, custom_mutator=custom_mutator)
    else:
        atheris.Setup(argv, one)
    atheris.Fuzz()


def _dict_escape(word: str) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02X}" for b in word.encode("utf-8"))


# ---------------------------------------------------------------------- vocabulary

def vocabulary_words() -> list[str]:
    """Chinese words of the recognizer vocabulary and lexicon, for dictionaries and generators."""
    words: set[str] = set()
    for path in [REPO / "auditor" / "recognize" / "vocabulary.yaml", REPO / "checks" / "_lexicon.yaml"]:
        if path.exists():
            words.update(re.findall(r"[\u4e00-\u9fff（）()：:]{2,14}", path.read_text(encoding="utf-8")))
    words.update(["≥", "≤", ">=", "<=", "＞", "%", "‰", "万元", "100%", "１２．５", "58,149.15", "82.79%",
                  "1e308", "99999999999999999999.99999", "-0", "0.0%", "\u3000", "\t", "\r\n", "# ", "## ",
                  "(2023年度)", "表1", "附件1", "合计", "小计", "得分", "分值", "减分项", "执行率"])
    return sorted(words)


# ---------------------------------------------------------------------- structure-aware text mutation

SPECIAL = ["\u3000", "\xa0", "\u200b", "\u200f", "\u202e", "\u2028", "\u0301", "\u0308", "\ufeff", "\x00",
           "\x07", "\x0b", "\x0c", "\x1b", "\r", "\ud7ff", "\U0001f600", "ＡＢＣ１２３", "．", "，", "－",
           "\u4e00", "𠀀", "﷽", "\ufffd"]
HUGE = ["1e308", "99999999999999999999.99999", "9" * 400, "-1", "0", "0.000000000000000000001", "1" + "0" * 30 + "%",
        "100.0000000000000000001%", "NaN", "inf", "-0.0", "1,234,567,890,123.45", "≥1e5"]
NUMBER_RE = re.compile(r"\d[\d,]*(?:\.\d+)?")


def mutate_text(text: str, rng: random.Random, words: list[str]) -> str:
    """One structure-aware edit of a tab-separated document: lines and cells dropped,
    duplicated, moved; numbers replaced by extreme ones; odd Unicode inserted."""
    lines = text.split("\n")
    if not lines:
        return text
    i = rng.randrange(len(lines))
    op = rng.randrange(16)
    if op == 0 and len(lines) > 1:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op in (3, 4, 5):
        cells = lines[i].split("\t")
        k = rng.randrange(len(cells))
        if op == 3 and len(cells) > 1:
            del cells[k]
        elif op == 4:
            cells.insert(k, cells[rng.randrange(len(cells))])
        else:
            m = rng.randrange(len(cells))
            cells[k], cells[m] = cells[m], cells[k]
        lines[i] = "\t".join(cells)
    elif op == 6:
        nums = list(NUMBER_RE.finditer(lines[i]))
        if nums:
            m = rng.choice(nums)
            lines[i] = lines[i][:m.start()] + rng.choice(HUGE) + lines[i][m.end():]
    elif op == 7:
        pos = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:pos] + rng.choice(SPECIAL) * rng.choice([1, 1, 2, 50]) + lines[i][pos:]
    elif op == 8:
        cells = lines[i].split("\t")
        cells[rng.randrange(len(cells))] = rng.choice(words)
        lines[i] = "\t".join(cells)
    elif op == 9:
        lines.insert(i, rng.choice(["# ", "## ", "", "表1", "附件2"]) + rng.choice(words))
    elif op == 10:
        # row layout <-> cell layout: one line per cell, rows separated by a blank line
        cells = lines[i].split("\t")
        lines[i:i + 1] = [""] + ["\t" + c for c in cells] + [""]
    elif op == 11:
        cut = rng.randrange(len(text) + 1)
        return text[:cut]
    elif op == 12:
        lines.insert(i, "")
    elif op == 13:
        # a column shift, as a PDF extraction does: an empty cell in front
        lines[i] = "\t" * rng.choice([1, 2, 5]) + lines[i]
    elif op == 14:
        lines[i] = lines[i].replace("\t", rng.choice([" ", "\t\t", ",", "\u3000"]))
    else:
        j = rng.randrange(len(lines))
        block = lines[min(i, j):max(i, j) + 1]
        lines[max(i, j) + 1:max(i, j) + 1] = block
    return "\n".join(lines)


def text_mutator(words: list[str]):
    """A libFuzzer custom mutator: half the time libFuzzer's own byte mutation, half a
    structure-aware edit of the document's lines and cells."""
    import atheris

    def mutate(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if rng.random() < 0.4:
            return atheris.Mutate(data, max_size)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return atheris.Mutate(data, max_size)
        for _ in range(rng.choice([1, 1, 2, 3])):
            text = mutate_text(text, rng, words)
        out = text.encode("utf-8")
        return out[:max_size]

    return mutate


# ---------------------------------------------------------------------- downstream of a reader

def downstream(doc, *, frames: bool = True, force_selfeval: bool = False) -> dict:
    """What the pipeline does with a RawDocument, minus its safety nets: recognize, join
    continuations, run each kind's normalizer and the claims normalizer, check the rows fit the
    canonical tables. An exception here is a bug the pipeline would turn into an INP004 problem row
    ("解析该表时出错") or a lost document."""
    from auditor.normalize import CLAIMS_NORMALIZER, NORMALIZERS, DocContext, TableContext, merge_rows, resolve
    from auditor.recognize import header_text, merge_continuations

    rows: dict = {}
    for k, (kind, table) in enumerate(merge_continuations(doc.tables), 1):
        header_text(table)
        kinds = [kind] if kind else []
        if force_selfeval:
            kinds += [k2 for k2 in ("project_selfeval", "department_selfeval") if k2 != kind]
        for kd in kinds:
            fn = resolve(NORMALIZERS.get(kd, ""))
            if fn is None:
                continue
            ctx = TableContext("D1", f"D1.T{k}", doc.file, kd, table.title, table.headings, "2023")
            merge_rows(rows, fn(table, ctx))
    claims = resolve(CLAIMS_NORMALIZER)
    if claims is not None and doc.paragraphs:
        merge_rows(rows, claims(doc.paragraphs, DocContext("D1", doc.file, doc.title)))
    if frames:
        # what Canonical.from_rows would refuse (it raises KeyError on an unknown column),
        # checked without building the pandas frames
        from auditor.model.tables import SPEC, columns

        for name, table_rows in rows.items():
            if name not in SPEC:
                raise InvariantBroken(f"normalizer produced unknown table {name!r}")
            known = set(columns(name))
            for r in table_rows:
                unknown = set(r) - known
                if unknown:
                    raise InvariantBroken(f"{name}: unknown columns {sorted(unknown)}")
    return rows
