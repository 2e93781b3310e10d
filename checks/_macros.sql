-- Interval helpers available to every rule. A printed number x with tolerance t
-- stands for [x - t, x + t]; rules fail only when intervals cannot meet.
CREATE MACRO eps(a, b) AS 1e-9 * (1 + abs(a) + abs(b));
-- TRUE when [a-ta, a+ta] and [b-tb, b+tb] cannot meet
CREATE MACRO apart(a, ta, b, tb) AS abs(a - b) > coalesce(ta, 0) + coalesce(tb, 0) + eps(a, b);
-- bounds of n / d for n in [n-tn, n+tn], d in [d-td, d+td] (n >= 0, d > 0)
CREATE MACRO q_lo(n, tn, d, td) AS greatest(n - coalesce(tn, 0), 0) / (d + coalesce(td, 0));
CREATE MACRO q_hi(n, tn, d, td) AS CASE WHEN d - coalesce(td, 0) > 0
    THEN (n + coalesce(tn, 0)) / (d - coalesce(td, 0)) ELSE 'inf'::DOUBLE END;
-- TRUE when [v-tv, v+tv] lies wholly outside [lo, hi]
CREATE MACRO outside(v, tv, lo, hi) AS v + coalesce(tv, 0) < lo - eps(v, lo) OR v - coalesce(tv, 0) > hi + eps(v, hi);
-- decimals a tolerance stands for (0.005 -> 2)
CREATE MACRO dp_of(t) AS CASE WHEN t IS NULL OR t <= 0 THEN 2 ELSE greatest(round(-log10(t * 2))::INTEGER, 0) END;
CREATE MACRO fmt(x, dp) AS CASE WHEN x IS NULL THEN NULL ELSE format('{:.{}f}', x::DOUBLE, dp::INTEGER) END;
-- TRUE when the actual surely misses the target under its operator, whatever the rounding
CREATE MACRO unmet(op, a, ta, t, tt_) AS CASE op
    WHEN '>=' THEN a + coalesce(ta, 0) < t - coalesce(tt_, 0) - eps(a, t)
    WHEN '>'  THEN a + coalesce(ta, 0) <= t - coalesce(tt_, 0) - eps(a, t)
    WHEN '<=' THEN a - coalesce(ta, 0) > t + coalesce(tt_, 0) + eps(a, t)
    WHEN '<'  THEN a - coalesce(ta, 0) >= t + coalesce(tt_, 0) + eps(a, t)
    -- "=" targets read as "reach this level": short of it misses, and so does anything above a zero target
    WHEN '='  THEN apart(a, ta, t, tt_) AND (a < t OR t = 0)
    ELSE FALSE END;
-- TRUE when the printed actual meets the printed target under its operator
CREATE MACRO met(op, a, t) AS CASE op
    WHEN '>=' THEN a >= t WHEN '>' THEN a > t WHEN '<=' THEN a <= t WHEN '<' THEN a < t
    WHEN '=' THEN a = t ELSE FALSE END;
-- a number for messages: up to 4 decimals, trailing zeros dropped
CREATE MACRO num(x) AS CASE WHEN x IS NULL THEN NULL
    ELSE rtrim(rtrim(format('{:.4f}', x::DOUBLE), '0'), '.') END;
-- a name for matching across tables: no whitespace, punctuation or brackets, full-width folded
CREATE MACRO norm_name(x) AS regexp_replace(coalesce(x, ''), '[\s\p{P}\p{S}（）()【】]+', '', 'g');
-- a unit name for matching across documents: also without codes such as 071002 … -210400000
CREATE MACRO norm_unit(x) AS regexp_replace(norm_name(x), '[0-9]+', '', 'g');
-- the order of a table in its document ("D3.T12" -> 12): lines restart on every sheet of a workbook
CREATE MACRO table_no(t) AS coalesce(TRY_CAST(regexp_extract(t, '(\d+)$', 1) AS INTEGER), 0);
-- a text for comparing rows: no whitespace, full-width punctuation folded, trailing punctuation dropped
CREATE MACRO clean_text(x) AS regexp_replace(regexp_replace(translate(coalesce(x, ''), '（）：，；。、　', '():,;.,'),
                                                            '\s+', '', 'g'), '[.,;:]+$', '');
