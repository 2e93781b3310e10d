"""Report formats: a registry of renderers that all consume the same `Report`.

    from auditor.render import RenderOptions, render_to
    render_to(report, "sarif", "out/audit.sarif", RenderOptions(catalog=catalog))

`render_to(report, fmt, None, options)` writes to stdout. A file is written
atomically: a temporary file in the same directory, then `os.replace`, so a
crash while rendering never leaves a half-written report behind.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from auditor.engine.catalog import Catalog
    from auditor.findings import Report


@dataclass(frozen=True)
class RenderOptions:
    verbose: bool = False          # show every finding (terminal and markdown cap them by default)
    quiet: bool = False            # counts only (terminal)
    color: bool | None = None      # None: auto (TTY and no NO_COLOR)
    width: int | None = None       # None: the terminal's width
    catalog: Catalog | None = None   # rule help text for sarif / html / terminal family titles
    fail_on: str = "error"         # the CI gate: junit fails only testcases at or above it


@runtime_checkable
class Renderer(Protocol):
    name: str
    human_readable: bool
    suffix: str
    binary: bool     # True when render() writes bytes (excel)

    def render(self, report: Report, stream: IO, options: RenderOptions) -> None: ...


RENDERERS: dict[str, Renderer] = {}


def register(renderer: Renderer) -> Renderer:
    RENDERERS[renderer.name] = renderer
    return renderer


class UnknownFormat(ValueError):
    pass


def get_renderer(fmt: str) -> Renderer:
    try:
        return RENDERERS[fmt.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(RENDERERS))
        raise UnknownFormat(f"未知的报告格式 '{fmt}'；可用格式：{known}") from None


def render_to(report: Report, fmt: str, path: str | os.PathLike | None = None,
              options: RenderOptions | None = None) -> None:
    """Render `report` as `fmt` to `path`, or to stdout when `path` is None."""
    renderer = get_renderer(fmt)
    options = options or RenderOptions()
    report = safe_report(report)
    if path is None:
        if renderer.binary:
            if sys.stdout.isatty():
                raise UnknownFormat(f"{renderer.name} 格式是二进制文件，请用 --output 指定文件路径")
            renderer.render(report, sys.stdout.buffer, options)
            sys.stdout.buffer.flush()
        else:
            renderer.render(report, sys.stdout, options)
            sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        if renderer.binary:
            stream = os.fdopen(fd, "wb")
        else:
            stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with stream:
            renderer.render(report, stream, options)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def safe_report(report: Report) -> Report:
    """The report with every text that came from a document, a file name or a rule pack made
    printable (auditor.textsafe.printable: control and escape characters, lone surrogates and
    U+FFFE/U+FFFF shown escaped), so no format carries them: a terminal never obeys an escape
    sequence from a cell and an Excel or XML report never refuses a character. Fingerprints
    are unchanged (they are computed on the printable file name)."""
    from dataclasses import replace

    from auditor.findings import Finding, Location
    from auditor.textsafe import printable

    def clean(obj, fields):
        changes = {f: printable(getattr(obj, f)) for f in fields}
        changes = {f: v for f, v in changes.items() if v is not getattr(obj, f)}
        return replace(obj, **changes) if changes else obj

    items = []
    for f in report.items:
        loc = clean(f.location, ("file", "table", "row", "field", "sheet", "cell"))
        g = clean(f, ("name", "message", "printed", "expected"))
        items.append(g if loc is f.location else replace(g, location=loc))
    documents = [clean(d, ("file", "title", "kind", "year", "error")) for d in report.documents]
    skipped = [clean(s, ("file", "reason")) for s in getattr(report, "skipped", [])]
    return replace(report, items=items, documents=documents, skipped=skipped,
                   provenance=_printable_tree(report.provenance))


def _printable_tree(value):
    from auditor.textsafe import printable

    if isinstance(value, dict):
        return {printable(k): _printable_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_printable_tree(v) for v in value]
    return printable(value)


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; otherwise what open() would give (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class LazyRenderer:
    """A renderer whose module (and its dependencies) is imported when it first renders: the
    Excel writer needs openpyxl, which a run that asks for another format never loads."""

    def __init__(self, module: str, name: str, suffix: str, human_readable: bool = False, binary: bool = False):
        self.module, self.name, self.suffix = module, name, suffix
        self.human_readable, self.binary = human_readable, binary

    def render(self, report: Report, stream: IO, options: RenderOptions) -> None:
        import importlib

        importlib.import_module(self.module).RENDERER.render(report, stream, options)


def _register_builtins() -> None:
    from auditor.render import github, html, json, junit, markdown, sarif, terminal

    for module in (terminal, json, markdown, html, junit, sarif, github):
        register(module.RENDERER)
    register(LazyRenderer("auditor.render.excel", "excel", ".xlsx", human_readable=False, binary=True))


_register_builtins()

__all__ = ["RENDERERS", "RenderOptions", "Renderer", "UnknownFormat", "get_renderer", "register", "render_to",
           "safe_report"]
