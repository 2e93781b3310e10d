"""Baseline: findings a reviewer has accepted, so that only new ones are reported.

An entry is keyed by `Finding.fingerprint` (rule, file name, table key, row key,
field — never line numbers), so it survives edits elsewhere in the document and
re-extraction. It also keeps the printed value: if the document now prints a
different number at the same place, the finding is reported again.

Entries that match nothing become `AUD002 unused-baseline-entry` (info), but only
for files and rules this run actually checked: checking one file of ten must not
call the other nine files' entries stale.

Each entry keeps its own reason, who accepted it and when (`accepted_at`, a date):
`update_baseline` (what `auditor baseline` runs) merges a run into an existing file,
so re-running it never rewrites the audit trail of entries already there, and with
`prune` drops the entries of checked files and rules that no longer occur.
"""
from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.findings import Finding, Location, Report, Severity

BASELINE_VERSION = 1
STALE_RULE, STALE_NAME = "AUD002", "unused-baseline-entry"
ENTRY_FIELDS = ("fingerprint", "rule", "file", "table", "row", "printed", "expected", "message", "reason",
                "accepted_by", "accepted_at")


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message names the file."""


def baseline_entry(f: Finding, reason: str | None = None, accepted_by: str | None = None,
                   accepted_at: str | None = None) -> dict:
    return {"fingerprint": f.fingerprint, "rule": f.rule, "file": f.location.file,
            "table": f.location.table or f.table_key, "row": f.location.row or f.row_key,
            "printed": f.printed, "expected": f.expected, "message": f.message,
            "reason": reason, "accepted_by": accepted_by,
            "accepted_at": accepted_at or datetime.date.today().isoformat()}


def _sort_key(e: dict) -> tuple:
    return (str(e["file"] or ""), str(e["rule"] or ""), str(e["table"] or ""), str(e["row"] or ""),
            e["fingerprint"])


def _save(entries: list[dict], path: str | os.PathLike) -> None:
    entries = sorted(entries, key=_sort_key)
    text = json.dumps({"version": BASELINE_VERSION, "entries": entries}, ensure_ascii=False, indent=2) + "\n"
    _write_atomically(Path(path), text)


def write_baseline(report: Report, path: str | os.PathLike, reason: str | None = None,
                   accepted_by: str | None = None, accepted_at: str | None = None) -> int:
    """Accept every finding of `report` (except stale-entry notices) into a new file, replacing
    any file there; returns the number of entries. `auditor baseline` uses update_baseline."""
    entries = [baseline_entry(f, reason, accepted_by, accepted_at) for f in report.items if f.rule != STALE_RULE]
    _save(entries, path)
    return len(entries)


@dataclass(frozen=True)
class BaselineUpdate:
    total: int      # entries in the file now
    added: int      # findings accepted by this run
    kept: int       # entries that still occur, with their own reason, who and when
    stale: int      # entries of checked files and rules that no longer occur (kept unless pruned)
    pruned: int     # stale entries dropped


def update_baseline(report: Report, path: str | os.PathLike, reason: str | None = None,
                    accepted_by: str | None = None, prune: bool = False,
                    accepted_at: str | None = None) -> BaselineUpdate:
    """Merge `report` into the baseline at `path` (created when missing). An entry already in
    the file that still occurs is left exactly as it is; a new finding gets `reason`,
    `accepted_by` and today's date; an entry that no longer occurs is kept, or dropped with
    `prune` when its file and rule were checked by this run."""
    path = Path(path)
    existing = load_baseline(path) if path.exists() else []
    pool: dict[tuple, list[dict]] = {}
    for e in existing:
        pool.setdefault((e["fingerprint"], e["printed"]), []).append(e)
    kept, added = [], []
    for f in report.items:
        if f.rule == STALE_RULE:
            continue
        match = pool.get((f.fingerprint, f.printed))
        if match:
            kept.append(match.pop(0))
        else:
            added.append(baseline_entry(f, reason, accepted_by, accepted_at))
    leftover = [e for group in pool.values() for e in group]
    stale = [e for e in leftover if _was_checked(e, report)]
    others = [e for e in leftover if not _was_checked(e, report)]
    entries = kept + added + others + ([] if prune else stale)
    _save(entries, path)
    return BaselineUpdate(total=len(entries), added=len(added), kept=len(kept), stale=len(stale),
                          pruned=len(stale) if prune else 0)


def load_baseline(path: str | os.PathLike) -> list[dict]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}：基线文件不存在") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path}：不是有效的 JSON 基线文件：{e}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        version = data.get("version") if isinstance(data, dict) else None
        raise BaselineError(f"{path}：不支持的基线版本 {version!r}（应为 {BASELINE_VERSION}）")
    entries = data.get("entries")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
                                                for e in entries):
        raise BaselineError(f"{path}：entries 必须是含 fingerprint 的对象列表")
    return [{k: e.get(k) for k in ENTRY_FIELDS} for e in entries]


def apply_baseline(report: Report, path: str | os.PathLike) -> Report:
    """A new Report without the accepted findings, plus AUD002 for entries that matched nothing."""
    entries = load_baseline(path)
    unused: dict[str, list[dict]] = {}
    for e in entries:
        unused.setdefault(e["fingerprint"], []).append(e)
    kept: list[Finding] = []
    for f in report.items:
        candidates = unused.get(f.fingerprint, [])
        match = next((e for e in candidates if e["printed"] == f.printed), None)
        if match is None:
            kept.append(f)
        else:
            candidates.remove(match)
    suppressed = len(report.items) - len(kept)
    current = {f.fingerprint: f for f in kept}
    stale = [_stale_finding(e, current.get(e["fingerprint"]))
             for group in unused.values() for e in group if _was_checked(e, report)]
    rules_run = report.rules_run + ([STALE_RULE] if STALE_RULE not in report.rules_run else [])
    return replace(report, items=kept + stale, suppressed=report.suppressed + suppressed, rules_run=rules_run)


def _was_checked(entry: dict, report: Report) -> bool:
    if report.rules_run and entry["rule"] not in report.rules_run and not str(entry["rule"]).startswith("AUD"):
        return False
    if not report.documents:
        return True
    checked = {os.path.basename(d.file) for d in report.documents}
    checked |= {os.path.basename(f.location.file) for f in report.items}
    return os.path.basename(str(entry["file"] or "")) in checked


def _stale_finding(entry: dict, now: Finding | None) -> Finding:
    if now is not None:
        why = f"基线接受的印出值为 {entry['printed']}，现在为 {now.printed}，因此重新报告"
    else:
        why = "该问题已不再出现，可用 auditor baseline --prune 从基线中删除"
    rule = entry["rule"] or "?"
    original = entry["message"] or ""
    message = f"基线条目 {rule} 未匹配任何问题：{why}（原问题：{original}） [{STALE_NAME}]"
    return Finding(
        rule=STALE_RULE, name=STALE_NAME, family="AUD", severity=Severity.INFO, message=message,
        location=Location(file=str(entry["file"] or "<baseline>"), table=entry["table"], row=entry["row"]),
        printed=entry["printed"], expected=entry["expected"],
        row_key=entry["fingerprint"], table_key=entry["table"])


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
