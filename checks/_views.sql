-- Shared views: what several rules derive from the canonical tables, defined once.
-- Every rule query may read them by name. `CREATE VIEW` is expanded where it is read;
-- `CREATE TABLE ... AS` is computed once per run (a DuckDB temporary table, a cached
-- Spark view, a CTE in the Great Expectations export) and only when a selected rule
-- reads it. Like the macros of _macros.sql they are DuckDB SQL, transpiled for Spark
-- and SQLite by auditor.export.transpile. Only views read by the engine itself live
-- here; a rule pack cannot add any.

-- the indicator rows of self-evaluations (indicators) and of target tables (targets), as printed
CREATE VIEW indicator_printed AS
  SELECT 'indicators' AS src, doc_id, table_id, row_no, line, level1, level2, name, operator, unit,
         target_text, target, target_raw, target_tol, target_loc
  FROM indicators
  UNION ALL
  SELECT 'targets', doc_id, table_id, row_no, line, level1, level2, name, operator, unit,
         target_text, target, target_raw, target_tol, target_loc
  FROM targets;

-- each table's indicator scores and weights added up once (SCR001, SCR002, SCR005): sums,
-- sums of their rounding tolerances, and how many rows print one
CREATE TABLE indicator_sums AS
  SELECT doc_id, table_id, sum(score) AS score_sum, sum(coalesce(score_tol, 0)) AS score_tol, count(score) AS score_n,
         sum(weight) AS weight_sum, sum(coalesce(weight_tol, 0)) AS weight_tol, count(weight) AS weight_n
  FROM indicators GROUP BY doc_id, table_id;

-- every distinct indicator name, cleaned once: `nm` compares names across rows (no
-- whitespace, full-width punctuation folded, trailing punctuation dropped: “待遇。” =
-- “待遇”), `squashed` is the name without whitespace that word lists are matched in
CREATE TABLE indicator_names AS
  SELECT name, clean_text(name) AS nm, regexp_replace(name, '\s+', '', 'g') AS squashed
  FROM (SELECT DISTINCT name FROM indicators WHERE name IS NOT NULL
        UNION SELECT DISTINCT name FROM targets WHERE name IS NOT NULL) n;

-- for each distinct name and word list of checks/_lexicon.yaml, the longest term of
-- the list the name contains (no row when it contains none)
CREATE TABLE name_terms AS
  SELECT n.name, l.list, max_by(l.term, length(l.term)) AS term
  FROM indicator_names n JOIN lexicon l ON contains(n.squashed, l.term)
  GROUP BY n.name, l.list;

-- the lists a rule asks about as columns of the distinct name: the matched term, or NULL
CREATE TABLE name_meaning AS
  SELECT n.name, n.nm, n.squashed,
         max(CASE WHEN t.list = 'higher_is_better' THEN t.term END) AS higher,
         max(CASE WHEN t.list = 'lower_is_better' THEN t.term END) AS lower,
         max(CASE WHEN t.list = 'bounded_rate' THEN t.term END) AS bounded,
         max(CASE WHEN t.list = 'completion_rate' THEN t.term END) AS completion_rate,
         max(CASE WHEN t.list = 'count_name' THEN t.term END) AS count_word,
         max(CASE WHEN t.list = 'ratio_word' THEN t.term END) AS ratio_word,
         max(CASE WHEN t.list = 'not_ratio' THEN t.term END) AS not_ratio,
         max(CASE WHEN t.list = 'time_word' THEN t.term END) AS time_word,
         max(CASE WHEN t.list = 'progress_word' THEN t.term END) AS progress_word,
         max(CASE WHEN t.list = 'cost_word' THEN t.term END) AS cost_word,
         max(CASE WHEN t.list = 'per_unit_word' THEN t.term END) AS per_unit_word
  FROM indicator_names n LEFT JOIN name_terms t ON t.name = n.name
  GROUP BY n.name, n.nm, n.squashed;

-- indicator rows with their name's meaning and cleaned forms (`nm` '' for a blank name), the
-- printed target as one text (tt), the unit (u) and the target's location (loc); these are
-- computed after the join, so that a rule's filter on the meaning drops rows before they are
CREATE VIEW indicator_meaning AS
  SELECT j.*,
         (j.u IN ('%', '％') OR ends_with(j.tt, '%') OR ends_with(j.tt, '％')
           OR (j.u = '' AND (contains(j.squashed, '率') OR contains(j.squashed, '比例')))) AS pct,
         j.tt || CASE WHEN j.u <> '' AND NOT ends_with(j.tt, j.u) THEN j.u ELSE '' END AS val
  FROM (SELECT r.*, trim(coalesce(r.target_text, r.target_raw, '')) AS tt, trim(coalesce(r.unit, '')) AS u,
               coalesce(r.target_loc, CAST(r.line AS VARCHAR)) AS loc,
               coalesce(m.nm, '') AS nm, coalesce(m.squashed, '') AS squashed,
               m.higher, m.lower, m.bounded, m.completion_rate, m.count_word, m.ratio_word, m.not_ratio,
               m.time_word, m.progress_word, m.cost_word, m.per_unit_word
        FROM indicator_printed r LEFT JOIN name_meaning m ON m.name = r.name) j;

-- the rows CPY002/CPY004 compare within a table, with their cleaned name
CREATE VIEW indicator_order AS
  SELECT r.src, r.doc_id, r.table_id, r.line, r.row_no, r.name, r.level2, coalesce(m.nm, '') AS nm
  FROM indicator_printed r LEFT JOIN indicator_names m ON m.name = r.name;

-- the rows of indicator_order whose cleaned name occurs more than once in its table (the
-- candidates of CPY002 and CPY004, computed once for both), with the 二级 label without
-- whitespace (l2), numbered in table order
CREATE TABLE indicator_repeats AS
  SELECT o.*, regexp_replace(coalesce(o.level2, ''), '\s+', '', 'g') AS l2,
         row_number() OVER (PARTITION BY o.src, o.doc_id, o.table_id ORDER BY o.line, o.row_no) AS ord
  FROM indicator_order o
  JOIN (SELECT src, doc_id, table_id, nm FROM indicator_order WHERE nm <> ''
        GROUP BY src, doc_id, table_id, nm HAVING count(*) > 1) d
    ON d.src = o.src AND d.doc_id = o.doc_id AND d.table_id = o.table_id AND d.nm = o.nm;

-- each distinct table title without spaces, punctuation and brackets (norm_name)
CREATE TABLE title_names AS
  SELECT title, norm_name(title) AS norm FROM (SELECT DISTINCT title FROM tables WHERE title IS NOT NULL) t;

-- the tables of documents with ledger rows, numbered into groups (EXP003, EXP006-EXP008): a
-- table continued over pages prints its title again, so consecutive tables of a document
-- with the same title (and unit, when both print one) are one group; tables of documents
-- without ledger rows are left out (those rules join this to ledger rows only)
CREATE TABLE ledger_table_groups AS
  SELECT doc_id, table_id, line AS tline, kind AS tkind,
         sum(CASE WHEN prev_title = title
                   AND (unit IS NULL OR prev_unit IS NULL OR unit = prev_unit) THEN 0 ELSE 1 END)
           OVER (PARTITION BY doc_id ORDER BY line NULLS LAST, table_id ROWS UNBOUNDED PRECEDING) AS grp
  FROM (SELECT doc_id, table_id, title, unit, line, kind,
               lag(title) OVER w AS prev_title, lag(unit) OVER w AS prev_unit
        FROM tables WHERE doc_id IN (SELECT doc_id FROM ledger)
        WINDOW w AS (PARTITION BY doc_id ORDER BY line NULLS LAST, table_id)) t;

-- ledger amounts in 万元, with the quantity each is (name_key), for comparing with what
-- the text states; tables whose money unit is not printed are left out
CREATE VIEW ledger_wan AS
  SELECT g.doc_id, g.table_id, g.name_key AS k, g.name, g."column", g.role, g.column_role, g.amount_raw, g.amount_loc,
         t.title, t.year,
         g.amount * CASE t.money_unit WHEN '元' THEN 0.0001 WHEN '万元' THEN 1 WHEN '亿元' THEN 10000 END AS v,
         coalesce(g.amount_tol, 0) * CASE t.money_unit WHEN '元' THEN 0.0001 WHEN '万元' THEN 1 WHEN '亿元' THEN 10000 END AS vt
  FROM ledger g JOIN tables t ON g.doc_id = t.doc_id AND g.table_id = t.table_id
  WHERE g.amount IS NOT NULL AND g.name_key IS NOT NULL AND t.money_unit IN ('元', '万元', '亿元');

-- claims keyed by the quantity they are about, the year a key names split off
-- (subject_key 2018|基本支出 -> key_year 2018, k 基本支出)
CREATE VIEW claim_keys AS
  SELECT doc_id, claim_id, kind, subject, base_how, value, value_tol, value_raw, value_loc,
         base, base_tol, base_raw, base_loc, other_raw,
         CASE WHEN subject_key LIKE '%|%' THEN split_part(subject_key, '|', 1) END AS key_year,
         CASE WHEN subject_key LIKE '%|%' THEN split_part(subject_key, '|', 2) ELSE subject_key END AS k
  FROM claims WHERE subject_key IS NOT NULL;
