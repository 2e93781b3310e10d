"""Accuracy on a small synthetic corpus (bench/synth.py, bench/accuracy.py): 50 generated
documents with anomalies planted one family at a time; every planted anomaly must be found
(recall), findings must sit on planted anomalies (precision), and documents without any
planted anomaly must get no error at all. Runs without /work/shared, in a few seconds.

The realistic corpus also contains the shapes the reader once misread (bench/README.md,
"Parser and rule gaps", G1–G3 and G6, now closed); it must meet the targets as well as the
corpus without them.
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import accuracy, synth

TARGET = 0.98
DOCS = 50
SEED = 20260


def _score(tmp_path: Path, gaps: bool):
    import auditor

    synth.generate(tmp_path, DOCS, seed=SEED, anomaly_rate=0.5, formats=("txt",), gaps=gaps)
    truth, docs = accuracy.load_corpus(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = auditor.check([str(tmp_path / d["file"]) for d in docs])
    return accuracy.score(report.items, truth, docs), truth


def _missed_targets(s, truth) -> list[str]:
    planted_families = sorted({t["family"] for t in truth})
    bad = []
    for fam in planted_families:
        recall = s.found[fam] / s.planted[fam]
        precision = s.tp[fam] / (s.tp[fam] + s.fp[fam]) if s.tp[fam] + s.fp[fam] else 1.0
        if recall < TARGET:
            bad.append(f"{fam} recall {recall:.3f} (missed: "
                       + "; ".join(f"{m['file']}:{m['line']} {m['rule']} {m['row_key']}" for m in s.misses
                                   if m["family"] == fam)[:400] + ")")
        if precision < TARGET:
            bad.append(f"{fam} precision {precision:.3f}")
    other_fp = [f for f in s.false_pos if f.family not in planted_families]
    if other_fp:
        bad.append("false positives outside the planted families: "
                   + "; ".join(f"{Path(f.location.file).name}:{f.location.line} {f.rule} {f.row_key}"
                               for f in other_fp[:5]))
    if s.clean_by_sev["error"]:
        bad.append(f"{s.clean_by_sev['error']} errors on clean documents (false errors: "
                   + "; ".join(f"{Path(f.location.file).name}:{f.location.line} {f.rule} {f.row_key}"
                               for f in s.false_pos if f.severity.value == "error")[:400] + ")")
    return bad


def test_generator_is_deterministic_and_plants_every_family(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    synth.generate(a, 12, seed=7, anomaly_rate=1.0)
    synth.generate(b, 12, seed=7, anomaly_rate=1.0)
    for name in ("doc_00001.txt", "doc_00012.txt", "truth.csv", "documents.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    truth, _ = accuracy.load_corpus(a)
    assert truth and all(t["line"] for t in truth)
    truth, _ = accuracy.load_corpus(tmp_path / "a")
    synth.generate(tmp_path / "c", DOCS, seed=SEED, anomaly_rate=0.5)
    planted = {t["family"] for t in accuracy.load_corpus(tmp_path / "c")[0]}
    assert planted == set(synth.FAMILIES)


def test_accuracy_targets_without_known_gap_shapes(tmp_path):
    s, truth = _score(tmp_path, gaps=False)
    assert sum(s.planted.values()) >= 20
    assert not _missed_targets(s, truth)


def test_accuracy_targets_realistic_corpus(tmp_path):
    s, truth = _score(tmp_path, gaps=True)
    assert not _missed_targets(s, truth)
