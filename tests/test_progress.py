"""The library reports progress as files are read; the CLI draws it only on a terminal."""
from __future__ import annotations

from pathlib import Path

import auditor
from auditor.cli import _progress_bar

EXCERPTS = Path(__file__).parent / "fixtures" / "excerpts"


def test_progress_is_reported_per_file_in_order():
    seen = []
    auditor.check([EXCERPTS], progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def test_no_bar_when_not_a_terminal_or_few_files():
    with _progress_bar(1000, quiet=False) as progress:   # pytest's stderr is not a terminal
        assert progress is None
    with _progress_bar(3, quiet=False) as progress:
        assert progress is None
