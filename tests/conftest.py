"""Suite-wide settings.

Hypothesis: the same examples in every run (derandomize) and no example database, so a
property test cannot pass on one run and fail on the next, or differ between pytest-xdist
workers. A test's own @settings still sets its max_examples; `HYPOTHESIS_PROFILE=explore`
draws fresh random examples when hunting for bugs."""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _keep_pyspark_connect_importable_as_absent() -> None:
    """In a pytest-xdist worker `__main__` has no `__file__`, and pyspark's Spark Connect
    package takes that for a doctest run and calls `sys.exit(0)` when grpc is missing.
    Great Expectations imports it inside `try … except ImportError`, so the exit ends the
    test instead. Marking the package absent makes that import an ImportError, which is
    what it is in a normal run without grpc (auditor itself uses classic Spark only)."""
    import importlib.util
    import sys

    main = sys.modules.get("__main__")
    if main is None or hasattr(main, "__file__") or getattr(main, "__spec__", None) is not None:
        return
    if importlib.util.find_spec("grpc") is None:
        sys.modules.setdefault("pyspark.sql.connect", None)  # type: ignore[arg-type]


_keep_pyspark_connect_importable_as_absent()
