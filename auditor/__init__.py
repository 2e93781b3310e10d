"""auditor: data-quality audit of Chinese public-sector budget and performance documents.

    import auditor
    report = auditor.check(["sample_data/"])
    report.findings          # DataFrame: rule, severity, file, table, row, line, printed, expected, message ...
"""
__version__ = "0.1.0"

import warnings as _warnings

# pandera imports pyspark when it is installed (the `spark` extra); its pandas-3 notice is not ours
_warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

from auditor.findings import Finding, Location, Report, Severity  # noqa: E402


def check(paths=(), **kwargs):
    """auditor.pipeline.check: the same options as `auditor check` (select, ignore, rules_dirs,
    config, jobs, canonical, engine, spark, spark_master, ocr, baseline)."""
    from auditor.pipeline import check as _check

    return _check(paths, **kwargs)


def extract(path):
    from auditor.pipeline import extract as _extract

    return _extract(path)


__all__ = ["check", "extract", "Finding", "Location", "Report", "Severity", "__version__"]
