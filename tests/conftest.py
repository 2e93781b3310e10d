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
