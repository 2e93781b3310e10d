"""Rule packs for other engines: DuckDB rule SQL transpiled with sqlglot to SQLite
(Great Expectations export, auditor.export.gx) and Spark SQL (auditor.engine.spark).

Nothing here is imported by the default DuckDB path; sqlglot, great_expectations
and pyspark are optional extras (`gx`, `spark`)."""
