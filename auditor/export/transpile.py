"""DuckDB rule SQL -> SQLite and Spark SQL, with sqlglot.

A rule's query is parsed as DuckDB SQL, the macros of checks/_macros.sql are
expanded in the syntax tree (neither SQLite nor Spark has DuckDB macros), and
the DuckDB functions the target lacks are rewritten into exact equivalents:

* SQLite: contains/starts_with/ends_with -> instr/substr, translate -> nested
  replace, `format('{:.Nf}', x)` -> printf, `regexp_matches` -> GLOB patterns when
  the regular expression has a finite language (alternatives, classes, `\\d`,
  `{n,m}`, anchors), `regexp_replace` of whitespace / trailing characters ->
  replace / rtrim, `max_by` / `arg_max` -> SQLite's "bare column of max()" rule,
  `GROUP BY ALL` -> explicit keys, `VALUES ... c(col)` -> UNION ALL, x / 0 ->
  ±infinity as in DuckDB. What has no exact SQLite form (ordered string_agg,
  lists, structs, general regexp_replace / regexp_extract) raises NotTranspilable
  with the reason; a regular expression with no GLOB form becomes `x REGEXP 'p'`,
  which needs a regexp() function registered on the connection (requires REGEXP).
* Spark: `format('{:.Nf}')` -> format_number (Java's DecimalFormat rounds the
  exact binary value half-even, like DuckDB's fmt), RE2 patterns -> Java patterns
  with the same meaning (`\\s`, `$`, `.`), x / 0 -> ±infinity, regexp_extract into
  a struct -> named_struct of regexp_extract.

Every translation is checked by tests that run the same rules on DuckDB and on
the target and compare the rows found.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

try:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("auditor's GX export and Spark engine need sqlglot: pip install 'auditor[gx]' "
                      "or 'auditor[spark]' (or pip install sqlglot)") from e

from auditor.engine.catalog import builtin_checks_dir
from auditor.model.tables import (
    BOOL_COLUMNS,
    INT_COLUMNS,
    SPEC,
    TABLE_INT_COLUMNS,
    columns,
    number_fields,
)

AUX_TABLES = ("params", "cap_bands", "lexicon")
BATCH_CTE = "__auditor_batch"
RE2_SPACE = "\t\n\f\r "          # RE2's \s (no \v, unlike Java and Python)
MAX_ALTERNATIVES = 64


class NotTranspilable(Exception):
    """The rule uses something the target dialect cannot express exactly."""


@dataclass
class Transpiled:
    sql: str
    requires: set[str] = field(default_factory=set)   # e.g. {"REGEXP"}: functions to register
    tree: exp.Expression | None = None


# ----------------------------------------------------------------------------- macros

@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression


MACRO_RE = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\s+(\w+)\s*\(([^)]*)\)\s+AS\s+(.*?);[ \t]*(?=\n|\Z)",
                      re.IGNORECASE | re.DOTALL)


def parse_macros(text: str) -> dict[str, Macro]:
    text = re.sub(r"--[^\n]*", "", text)
    out = {}
    for name, params, body in MACRO_RE.findall(text):
        names = tuple(p.strip().lower() for p in params.split(",") if p.strip())
        out[name.lower()] = Macro(name.lower(), names, sqlglot.parse_one(body, read="duckdb"))
    return out


@functools.lru_cache(maxsize=1)
def builtin_macros() -> dict[str, Macro]:
    return parse_macros((builtin_checks_dir() / "_macros.sql").read_text(encoding="utf-8"))


def bottom_up(node: exp.Expression, fn) -> exp.Expression:
    """Apply fn to every node, children first; fn's result is not visited again."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            new = bottom_up(value, fn)
            if new is not value:
                node.set(key, new)
        elif isinstance(value, list):
            items = [bottom_up(v, fn) if isinstance(v, exp.Expression) else v for v in value]
            if any(a is not b for a, b in zip(items, value)):
                node.set(key, items)
    return fn(node)


def _atomic(e: exp.Expression) -> bool:
    return isinstance(e, (exp.Column, exp.Literal, exp.Paren, exp.Null, exp.Boolean, exp.Func, exp.Cast))


def expand_macros(tree: exp.Expression, macros: dict[str, Macro] | None = None, depth: int = 0) -> exp.Expression:
    macros = builtin_macros() if macros is None else macros
    if depth > 20:
        raise NotTranspilable("macros nested deeper than 20 levels")

    def expand(node):
        if isinstance(node, exp.Anonymous) and str(node.this).lower() in macros:
            m = macros[str(node.this).lower()]
            args = node.expressions
            if len(args) != len(m.params):
                raise NotTranspilable(f"macro {m.name} takes {len(m.params)} arguments, got {len(args)}")
            binding = {p: a for p, a in zip(m.params, args)}

            def subst(n):
                if isinstance(n, exp.Column) and not n.table and n.name.lower() in binding:
                    a = binding[n.name.lower()].copy()
                    return a if _atomic(a) else exp.Paren(this=a)
                return n

            body = m.body.copy().transform(subst, copy=False)
            return exp.Paren(this=expand_macros(body, macros, depth + 1))
        return node

    return bottom_up(tree, expand)


def inline_views(query: str) -> str:
    """The query with the shared views it reads (checks/_views.sql) prepended as CTEs,
    so that it stands alone in a dialect that has no such views (the SQLite of the
    Great Expectations export)."""
    from auditor.engine.views import needed

    views = needed([query])
    if not views:
        return query
    ctes = ",\n".join(f"{v.name} AS ({v.body})" for v in views)
    m = re.match(r"\s*WITH\s+(RECURSIVE\s+)?", query, re.IGNORECASE)
    if m:
        return f"WITH {m.group(1) or ''}{ctes},\n{query[m.end():]}"
    return f"WITH {ctes}\n{query}"


def parse(query: str) -> exp.Expression:
    try:
        trees = sqlglot.parse(query, read="duckdb")
    except ParseError as e:
        raise NotTranspilable(f"sqlglot cannot parse the DuckDB query: {str(e).splitlines()[0]}") from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise NotTranspilable("a rule must be exactly one statement")
    return bottom_up(expand_macros(trees[0]), _alias_qualify_projections)


def _alias_qualify_projections(node: exp.Expression) -> exp.Expression:
    """sqlglot rewrites QUALIFY into a subquery and refers to unaliased projections by a
    name it derives (a literal '绩效目标表' becomes the bare identifier 绩效目标表): give
    them explicit names first."""
    if isinstance(node, exp.Select) and node.args.get("qualify") is not None:
        node.set("expressions", [p if isinstance(p, (exp.Alias, exp.Column, exp.Star)) else exp.alias_(p, f"_q{i}")
                                 for i, p in enumerate(node.expressions)])
    return node


# ----------------------------------------------------------------------------- regular expressions

class _RegexUnsupported(Exception):
    pass


def _class_items(pattern: str, i: int) -> tuple[bool, set[str], list[tuple[str, str]], int]:
    """Parse a [...] class starting at pattern[i] == '['; returns (negated, chars, ranges, next index)."""
    i += 1
    neg = pattern.startswith("^", i)
    if neg:
        i += 1
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(pattern) and (pattern[i] != "]" or first):
        first = False
        c = pattern[i]
        if c == "\\":
            i += 1
            if i >= len(pattern):
                raise _RegexUnsupported("trailing backslash")
            e = pattern[i]
            if e == "d":
                ranges.append(("0", "9"))
            elif e == "s":
                chars.update(RE2_SPACE)
            elif e in "tnfr":
                chars.add({"t": "\t", "n": "\n", "f": "\f", "r": "\r"}[e])
            elif e.isalnum():
                raise _RegexUnsupported(f"\\{e} in a class")
            else:
                chars.add(e)
            i += 1
            continue
        if c == "[":
            raise _RegexUnsupported("nested class")
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            hi = pattern[i + 2]
            if hi == "\\":
                raise _RegexUnsupported("escaped range end")
            ranges.append((c, hi))
            i += 3
            continue
        chars.add(c)
        i += 1
    if i >= len(pattern):
        raise _RegexUnsupported("unclosed class")
    return neg, chars, ranges, i + 1


def _glob_class(neg: bool, chars: set[str], ranges: list[tuple[str, str]]) -> str:
    """A SQLite GLOB class: ']' first, '-' last and '^' never first are literal."""
    body = "]" if "]" in chars else ""
    body += "".join(f"{a}-{b}" for a, b in ranges)
    body += "".join(sorted(c for c in chars if c not in "]-^"))
    if "^" in chars:
        if not body and not neg:
            return "[-^]" if "-" in chars else "^"
        body += "^"
    if "-" in chars:
        body += "-"
    return "[" + ("^" if neg else "") + body + "]"


def _glob_lit(c: str) -> str:
    return f"[{c}]" if c in "*?[" else c


class _RegexParser:
    """A regular expression with a finite language -> its alternatives as token lists.
    Tokens: ('lit', c) | ('class', glob class) | ('bol',) | ('eol',)."""

    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0

    def parse(self) -> list[list[tuple]]:
        alts = self.alt()
        if self.i != len(self.p):
            raise _RegexUnsupported(f"unexpected {self.p[self.i]!r}")
        return alts

    def _limit(self, seqs):
        if len(seqs) > MAX_ALTERNATIVES:
            raise _RegexUnsupported("too many alternatives")
        return seqs

    def alt(self):
        out = self.seq()
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            out = self._limit(out + self.seq())
        return out

    def seq(self):
        seqs = [[]]
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            atom = self.atom()
            atom = self.quantified(atom)
            seqs = self._limit([a + b for a in seqs for b in atom])
        return seqs

    def quantified(self, atom):
        if self.i >= len(self.p):
            return atom
        c = self.p[self.i]
        if c == "?":
            self.i += 1
            self._lazy()
            return atom + [[]]
        if c in "*+":
            raise _RegexUnsupported(f"unbounded repetition {c}")
        if c == "{":
            m = re.match(r"\{(\d+)(?:,(\d+))?\}", self.p[self.i:])
            if not m:
                raise _RegexUnsupported("bad repetition")
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) is not None else lo
            if "," in m.group(0) and m.group(2) is None:
                raise _RegexUnsupported("unbounded repetition {n,}")
            self.i += len(m.group(0))
            self._lazy()
            out = []
            for n in range(lo, hi + 1):
                reps = [[]]
                for _ in range(n):
                    reps = self._limit([a + b for a in reps for b in atom])
                out = self._limit(out + reps)
            return out
        return atom

    def _lazy(self):
        if self.i < len(self.p) and self.p[self.i] == "?":
            self.i += 1     # lazy and greedy match the same strings

    def atom(self):
        c = self.p[self.i]
        if c == "(":
            self.i += 1
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self.p.startswith("?", self.i):
                raise _RegexUnsupported("group flags")
            inner = self.alt()
            if self.i >= len(self.p) or self.p[self.i] != ")":
                raise _RegexUnsupported("unclosed group")
            self.i += 1
            return inner
        if c == "[":
            neg, chars, ranges, self.i = _class_items(self.p, self.i)
            if not neg and not ranges and len(chars) == 1:
                return [[("lit", next(iter(chars)))]]
            return [[("class", _glob_class(neg, chars, ranges))]]
        if c == "\\":
            self.i += 1
            if self.i >= len(self.p):
                raise _RegexUnsupported("trailing backslash")
            e = self.p[self.i]
            self.i += 1
            if e == "d":
                return [[("class", "[0-9]")]]
            if e == "s":
                return [[("class", _glob_class(False, set(RE2_SPACE), []))]]
            if e in "tnfr":
                return [[("lit", {"t": "\t", "n": "\n", "f": "\f", "r": "\r"}[e])]]
            if e.isalnum():
                raise _RegexUnsupported(f"\\{e}")
            return [[("lit", e)]]
        if c == "^":
            self.i += 1
            return [[("bol",)]]
        if c == "$":
            self.i += 1
            return [[("eol",)]]
        if c == ".":
            self.i += 1
            return [[("class", "[^\n]")]]
        if c in "*+?{":
            raise _RegexUnsupported(f"quantifier {c} without operand")
        self.i += 1
        return [[("lit", c)]]


def regex_to_sqlite(subject: exp.Expression, pattern: str) -> exp.Expression | None:
    """An exact SQLite predicate for RE2's regexp_matches(subject, pattern) (search
    semantics), or None when the pattern has no GLOB / replace form."""
    m = re.fullmatch(r"\^\[([^\]\\^-][^\]\\]*)\]\+\$", pattern)
    if m and "-" not in m.group(1)[1:-1]:
        # ^[abc]+$: non-empty and made of those characters only
        stripped = subject.copy()
        for ch in sorted(set(m.group(1))):
            stripped = exp.func("REPLACE", stripped, exp.Literal.string(ch), exp.Literal.string(""))
        return exp.Paren(this=exp.and_(exp.GT(this=exp.Length(this=subject.copy()), expression=exp.Literal.number(0)),
                                       exp.EQ(this=stripped, expression=exp.Literal.string(""))))
    try:
        alts = _RegexParser(pattern).parse()
    except _RegexUnsupported:
        return None
    preds: list[exp.Expression] = []
    seen = set()
    for seq in alts:
        bol = bool(seq) and seq[0] == ("bol",)
        body = seq[1:] if bol else seq
        eol = bool(body) and body[-1] == ("eol",)
        body = body[:-1] if eol else body
        if any(t in (("bol",), ("eol",)) for t in body):
            return None     # anchors inside the pattern
        if bol and eol and all(t[0] == "lit" for t in body):
            key = ("eq", "".join(t[1] for t in body))
            if key not in seen:
                seen.add(key)
                preds.append(exp.EQ(this=subject.copy(), expression=exp.Literal.string(key[1])))
            continue
        glob = ("" if bol else "*") + "".join(_glob_lit(t[1]) if t[0] == "lit" else t[1] for t in body) + ("" if eol else "*")
        if ("glob", glob) in seen:
            continue
        seen.add(("glob", glob))
        preds.append(exp.Glob(this=subject.copy(), expression=exp.Literal.string(glob)))
    if not preds:
        return None
    return exp.Paren(this=functools.reduce(lambda a, b: exp.or_(a, b), preds))


def re2_to_java(pattern: str) -> str:
    """RE2 (DuckDB) -> java.util.regex with the same matches: \\s is [\\t\\n\\f\\r ] in RE2
    (Java adds \\x0B), `$` is the end of the text (Java also matches before a final
    line break), `.` excludes only \\n (Java excludes \\r, \\u0085, \\u2028 ... too)."""
    out = []
    i = 0
    in_class = False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e == "s":
                out.append("\\t\\n\\f\\r " if in_class else "[\\t\\n\\f\\r ]")
            elif e == "S" and not in_class:
                out.append("[^\\t\\n\\f\\r ]")
            elif e == "z":
                out.append("\\z")
            else:
                out.append(c + e)
            i += 2
            continue
        if in_class:
            if c == "]" and out and out[-1] not in ("[", "[^"):
                in_class = False
            if c == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(c)
        elif c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
                if pattern.startswith("]", i):
                    out.append("\\]")
                    i += 1
                continue
            out.append("[")
            if pattern.startswith("]", i + 1):
                out.append("\\]")
                i += 1
        elif c == "$":
            out.append("\\z")
        elif c == ".":
            out.append("[^\\n]")
        else:
            out.append(c)
        i += 1
    return "".join(out)


# ----------------------------------------------------------------------------- helpers

def _string_literal(e: exp.Expression | None, what: str) -> str:
    if isinstance(e, exp.Literal) and e.is_string:
        return e.this
    raise NotTranspilable(f"{what} is not a string literal")


def _fixed_format(node: exp.Format) -> tuple[exp.Expression, exp.Expression]:
    """DuckDB format('{:.Nf}', x) / format('{:.{}f}', x, n) -> (x, n)."""
    spec = _string_literal(node.this, "the format string")
    args = node.expressions
    m = re.fullmatch(r"\{:\.(\d+)f\}", spec)
    if m and len(args) == 1:
        return args[0], exp.Literal.number(int(m.group(1)))
    if spec == "{:.{}f}" and len(args) == 2:
        return args[0], args[1]
    raise NotTranspilable(f"format({spec!r}) has no translation (only '{{:.Nf}}' and '{{:.{{}}f}}')")


def _is_inf_cast(node: exp.Expression) -> str | None:
    if isinstance(node, (exp.Cast, exp.TryCast)) and isinstance(node.this, exp.Literal) and node.this.is_string \
            and node.to.this in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT):
        v = node.this.this.strip().lower()
        if v in ("inf", "+inf", "infinity", "+infinity"):
            return "inf"
        if v in ("-inf", "-infinity"):
            return "-inf"
        if v == "nan":
            return "nan"
    return None


def _select_from(select: exp.Select):
    return select.args.get("from_") or select.args.get("from")


def cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def main_table(tree: exp.Expression, candidates=tuple(SPEC)) -> str | None:
    """The canonical table a rule reads first (for GX's {batch}): the first base table
    in the FROM of the outermost query, following CTEs and subqueries."""
    ctes = {cte.alias_or_name.lower(): cte.this for cte in tree.find_all(exp.CTE)}
    seen: set[int] = set()

    def first(q) -> str | None:
        if q is None or id(q) in seen:
            return None
        seen.add(id(q))
        if isinstance(q, exp.SetOperation):
            return first(q.this) or first(q.expression)
        if isinstance(q, exp.Subquery):
            return first(q.this)
        if not isinstance(q, exp.Select):
            return None
        frm = _select_from(q)
        sources = ([frm.this] if frm is not None else []) + [j.this for j in q.args.get("joins") or []]
        for s in sources:
            if isinstance(s, exp.Table):
                name = s.name.lower()
                if name in ctes:
                    hit = first(ctes[name])
                    if hit:
                        return hit
                elif name in candidates:
                    return name
            elif isinstance(s, exp.Subquery):
                hit = first(s.this)
                if hit:
                    return hit
        return None

    hit = first(tree)
    if hit:
        return hit
    for t in tree.find_all(exp.Table):
        if t.name.lower() in candidates and t.name.lower() not in ctes:
            return t.name.lower()
    return None


def rename_table(tree: exp.Expression, table: str, new_name: str) -> exp.Expression:
    """Every reference to base table `table` (not a CTE of that name) reads `new_name`, aliased
    to the old alias or name so qualified columns still resolve."""
    ctes = cte_names(tree)
    if table.lower() in ctes:
        return tree
    for t in list(tree.find_all(exp.Table)):
        if t.name.lower() == table.lower() and not t.args.get("db"):
            alias = t.alias or t.name
            t.set("this", exp.to_identifier(new_name))
            t.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return tree


# ----------------------------------------------------------------------------- SQLite

def _replace_chain(e: exp.Expression, pairs: list[tuple[str, str]]) -> exp.Expression:
    for a, b in pairs:
        e = exp.func("REPLACE", e, exp.Literal.string(a), exp.Literal.string(b))
    return e


def _sqlite_argmax(select: exp.Select) -> exp.Select:
    projections = select.expressions
    hits = [p for p in projections if isinstance(p.unalias(), exp.ArgMax)]
    if not hits:
        if select.find(exp.ArgMax):
            raise NotTranspilable("max_by / arg_max inside an expression has no SQLite form")
        return select
    keys = {h.unalias().expression.sql("duckdb") for h in hits}
    if len(keys) != 1 or any(isinstance(n, (exp.Max, exp.Min)) for p in projections for n in p.find_all(exp.Max, exp.Min)):
        raise NotTranspilable("max_by / arg_max with different keys has no SQLite form")
    key = hits[0].unalias().expression
    scalar = isinstance(select.parent, exp.Subquery) and len(projections) == 1 and not select.args.get("group")
    new = []
    anchored = False
    for p in projections:
        inner = p.unalias()
        if isinstance(inner, exp.ArgMax):
            value = inner.this.copy()
            if value.sql("duckdb") == key.sql("duckdb"):
                value = exp.Max(this=value)
                anchored = True
            new.append(exp.alias_(value, p.alias) if p.alias else value)
        else:
            new.append(p)
    if scalar:
        # (SELECT max_by(v, k) FROM ...) -> (SELECT v FROM (SELECT v AS __v, max(k) FROM ...))
        v = new[0].unalias() if isinstance(new[0], exp.Alias) else new[0]
        if isinstance(v, exp.Max):
            select.set("expressions", [new[0]])
            return select
        select.set("expressions", [exp.alias_(v, "__v"), exp.alias_(exp.Max(this=key.copy()), "__k")])
        return exp.select("__v").from_(exp.Subquery(this=select.copy(), alias=exp.TableAlias(this=exp.to_identifier("__m"))))
    if not anchored:
        new.append(exp.alias_(exp.Max(this=key.copy()), "__argmax_key"))
    select.set("expressions", new)
    return select


def _values_as_union(node: exp.Values) -> exp.Expression:
    alias = node.args.get("alias")
    cols = [c.name for c in alias.columns] if alias is not None else []
    rows = node.expressions
    if not cols or not rows:
        return node
    selects = []
    for row in rows:
        vals = row.expressions if isinstance(row, exp.Tuple) else [row]
        if len(vals) != len(cols):
            raise NotTranspilable("VALUES row width differs from its column list")
        selects.append(exp.select(*[exp.alias_(v.copy(), c) for v, c in zip(vals, cols)]))
    union = functools.reduce(lambda a, b: exp.union(a, b, distinct=False), selects)
    return exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier(alias.name)))


def _group_by_all(select: exp.Select) -> exp.Select:
    group = select.args.get("group")
    if not (group is not None and group.args.get("all")):
        return select
    keys = []
    for p in select.expressions:
        if isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star)):
            raise NotTranspilable("GROUP BY ALL with *")
        if p.find(exp.AggFunc) is None and p.find(exp.Window) is None:
            keys.append(p.unalias().copy())
    select.set("group", exp.Group(expressions=keys) if keys else None)
    return select


def sqlite_library_version() -> tuple[int, ...]:
    import sqlite3

    return tuple(int(x) for x in sqlite3.sqlite_version.split("."))


def _sqlite_node(node: exp.Expression, requires: set[str], version: tuple[int, ...]) -> exp.Expression:
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, (exp.AnyValue, exp.Max)):
        # DuckDB's any_value skips NULLs and so does max(); children are rewritten first
        return node.this if isinstance(node.this, exp.Max) else exp.Max(this=node.this.this)
    if isinstance(node, exp.AnyValue):
        return exp.Max(this=node.this)
    if isinstance(node, exp.Contains) or (isinstance(node, exp.Anonymous) and str(node.this).lower() == "contains"):
        a, b = (node.this, node.expression) if isinstance(node, exp.Contains) else node.expressions
        return exp.Paren(this=exp.GT(this=exp.func("INSTR", a, b), expression=exp.Literal.number(0)))
    if isinstance(node, exp.StartsWith):
        a, b = node.this, node.expression
        return exp.Paren(this=exp.EQ(this=exp.func("SUBSTR", a, exp.Literal.number(1), exp.Length(this=b.copy())),
                                     expression=b.copy()))
    if isinstance(node, exp.EndsWith):
        a, b = node.this, node.expression
        start = exp.Add(this=exp.Sub(this=exp.Length(this=a.copy()), expression=exp.Length(this=b.copy())),
                        expression=exp.Literal.number(1))
        return exp.Paren(this=exp.EQ(this=exp.func("SUBSTR", a, start), expression=b.copy()))
    if isinstance(node, exp.Left):
        return exp.func("SUBSTR", node.this, exp.Literal.number(1), node.expression)
    if isinstance(node, exp.Format):
        x, dp = _fixed_format(node)
        return exp.func("PRINTF", exp.Literal.string("%.*f"), dp, x)
    inf = _is_inf_cast(node)
    if inf:
        if inf == "nan":
            raise NotTranspilable("SQLite has no NaN")
        return exp.Literal.number("9e999") if inf == "inf" else exp.Neg(this=exp.Literal.number("9e999"))
    if isinstance(node, exp.RegexpLike):
        pattern = _string_literal(node.expression, "the regular expression")
        if node.args.get("flag") is not None:
            raise NotTranspilable("regexp_matches with options")
        exact = regex_to_sqlite(node.this, pattern)
        if exact is not None:
            return exact
        requires.add("REGEXP")
        return exp.RegexpLike(this=node.this, expression=node.expression)
    if isinstance(node, exp.RegexpReplace):
        pattern = _string_literal(node.expression, "the regular expression")
        repl = _string_literal(node.args.get("replacement"), "the replacement")
        mods = node.args.get("modifiers")
        mods = _string_literal(mods, "the options") if mods is not None else ""
        if repl == "" and pattern in (r"\s+", r"\s", r"[\s]+", r"[\s]") and "g" in mods:
            return _replace_chain(node.this, [(c, "") for c in RE2_SPACE])
        m = re.fullmatch(r"\[([^\]\\^-][^\]\\]*)\]\+\$", pattern)
        if repl == "" and m and "-" not in m.group(1)[1:-1]:
            return exp.func("RTRIM", node.this, exp.Literal.string(m.group(1)))
        m = re.fullmatch(r"\^\[([^\]\\^-][^\]\\]*)\]\+", pattern)
        if repl == "" and m and "-" not in m.group(1)[1:-1]:
            return exp.func("LTRIM", node.this, exp.Literal.string(m.group(1)))
        raise NotTranspilable(f"regexp_replace(…, {pattern!r}) has no SQLite form (SQLite has no regexp_replace)")
    if isinstance(node, exp.RegexpExtract):
        raise NotTranspilable("regexp_extract has no SQLite form")
    if isinstance(node, exp.Translate):
        src = _string_literal(node.args.get("from_") or node.args.get("from"), "translate's source characters")
        dst = _string_literal(node.args.get("to"), "translate's target characters")
        pairs = [(c, dst[i] if i < len(dst) else "") for i, c in enumerate(src)]
        # sequential replace == simultaneous translate when no output is a later input
        for i, (_, out) in enumerate(pairs):
            if out and any(out == later for later, _ in pairs[i + 1:]):
                raise NotTranspilable("translate() whose output characters are also inputs")
        return _replace_chain(node.this, pairs)
    if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order) and version < (3, 44):
        raise NotTranspilable("string_agg(… ORDER BY …) needs SQLite ≥ 3.44 (ordered group_concat)")
    if isinstance(node, (exp.ArrayAgg, exp.ArraySort, exp.ArrayDistinct, exp.Array, exp.Struct, exp.Unnest,
                         exp.Explode)) or type(node).__name__ in ("ArrayUniqueAgg", "List", "ToArray"):
        raise NotTranspilable(f"lists / structs ({type(node).__name__}) have no SQLite form")
    if isinstance(node, exp.Anonymous) and str(node.this).lower().startswith(("list_", "array_", "struct_")):
        raise NotTranspilable(f"{node.this}() has no SQLite form")
    if isinstance(node, exp.Div):
        # DuckDB: x / 0 = ±inf (NaN for 0 / 0); SQLite gives NULL
        n, d = node.this, node.expression
        sign = exp.Case(ifs=[exp.If(this=exp.GT(this=n.copy(), expression=exp.Literal.number(0)),
                                    true=exp.Literal.number("9e999")),
                             exp.If(this=exp.LT(this=n.copy(), expression=exp.Literal.number(0)),
                                    true=exp.Neg(this=exp.Literal.number("9e999")))])
        return exp.Paren(this=exp.Case(ifs=[exp.If(this=exp.EQ(this=d.copy(), expression=exp.Literal.number(0)),
                                                   true=sign)], default=node))
    if isinstance(node, exp.Values):
        return _values_as_union(node)
    if isinstance(node, exp.Select):
        node = _group_by_all(node)
        return _sqlite_argmax(node)
    return node


def sqlite_tree(query: str, version: tuple[int, ...] | None = None) -> tuple[exp.Expression, set[str]]:
    """The rule as a SQLite syntax tree; `version` is the target SQLite (default: the one
    Python's sqlite3 module uses), since ordered group_concat needs 3.44."""
    tree = parse(query)
    requires: set[str] = set()
    version = version or sqlite_library_version()
    tree = bottom_up(tree, lambda n: _sqlite_node(n, requires, version))
    return tree, requires


def generate(tree: exp.Expression, dialect: str) -> str:
    try:
        return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as e:
        raise NotTranspilable(f"sqlglot: {str(e).splitlines()[0]}") from None


def sqlite_type(table: str, column: str) -> str:
    if column in number_fields(table) or column.endswith("_tol"):
        return "REAL"
    if column in INT_COLUMNS or column in TABLE_INT_COLUMNS.get(table, ()) or column in BOOL_COLUMNS:
        return "INTEGER"
    return "TEXT"


def sqlite_schema_sql() -> list[str]:
    stmts = []
    for t in SPEC:
        cols = ", ".join(f'"{c}" {sqlite_type(t, c)}' for c in columns(t))
        stmts.append(f'CREATE TABLE "{t}" ({cols})')
    from auditor.engine.base import PARAM_KEYS     # the params every engine registers
    stmts += [f'CREATE TABLE params ({", ".join(f"{k!r} REAL".replace(chr(39), chr(34)) for k in PARAM_KEYS)})',
              'CREATE TABLE cap_bands ("rate_from" REAL, "rate_to" REAL, "max_total" REAL)',
              'CREATE TABLE lexicon ("list" TEXT, "term" TEXT)']
    return stmts


def register_regexp(con) -> None:
    """REGEXP for a sqlite3 connection, with RE2's meaning of \\s, `$` and `.`."""
    con.create_function("regexp", 2, _regexp, deterministic=True)


@functools.lru_cache(maxsize=256)
def _py_regex(pattern: str):
    return re.compile(re2_to_python(pattern))


def re2_to_python(pattern: str) -> str:
    return re2_to_java(pattern).replace("\\z", "\\Z")


def _regexp(pattern, value):
    if pattern is None or value is None:
        return None
    return 1 if _py_regex(pattern).search(str(value)) else 0


@functools.lru_cache(maxsize=1)
def _schema_connection():
    import sqlite3

    con = sqlite3.connect(":memory:", check_same_thread=False)
    for s in sqlite_schema_sql():
        con.execute(s)
    register_regexp(con)
    return con


def check_sqlite(sql: str) -> None:
    """Compile the query against an empty SQLite database with the canonical schema."""
    import sqlite3

    try:
        _schema_connection().execute("EXPLAIN " + sql).fetchall()
    except sqlite3.Error as e:
        raise NotTranspilable(f"SQLite rejects the transpiled query: {e}") from None


def to_sqlite(query: str, version: tuple[int, ...] | None = None) -> Transpiled:
    tree, requires = sqlite_tree(query, version)
    sql = generate(tree, "sqlite")
    if version is None or version <= sqlite_library_version():
        check_sqlite(sql)
    return Transpiled(sql, requires, tree)


# ----------------------------------------------------------------------------- Spark

def spark_fixed(x: exp.Expression, dp: exp.Expression) -> exp.Expression:
    """DuckDB format('{:.Nf}', x) in Spark: format_number (java.text.DecimalFormat, HALF_EVEN
    on the exact binary value, as fmt does) without the grouping commas; inf / nan spelled
    like fmt."""
    xd = exp.Cast(this=x.copy(), to=exp.DataType.build("DOUBLE"))
    inf = exp.Cast(this=exp.Literal.string("Infinity"), to=exp.DataType.build("DOUBLE"))
    return exp.Case(
        ifs=[exp.If(this=exp.func("ISNAN", xd.copy()), true=exp.Literal.string("nan")),
             exp.If(this=exp.EQ(this=xd.copy(), expression=inf.copy()), true=exp.Literal.string("inf")),
             exp.If(this=exp.EQ(this=xd.copy(), expression=exp.Neg(this=inf.copy())), true=exp.Literal.string("-inf"))],
        default=exp.func("REPLACE", exp.func("FORMAT_NUMBER", xd.copy(), dp.copy()), exp.Literal.string(","),
                         exp.Literal.string("")))


_ARRAY_VALUED = tuple(getattr(exp, n) for n in ("ArrayFilter", "ArrayAgg", "Array", "ArrayDistinct", "ArraySort",
                                                 "ArrayConcat", "Transform", "ArrayUniqueAgg") if hasattr(exp, n))


def _spark_node(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Length) and isinstance(node.this, _ARRAY_VALUED):
        return exp.func("SIZE", node.this)          # DuckDB len(list)
    if isinstance(node, exp.ArrayOverlaps):
        return exp.func("ARRAYS_OVERLAP", node.this, node.expression)
    if isinstance(node, exp.Format):
        x, dp = _fixed_format(node)
        return exp.Paren(this=spark_fixed(x, dp))
    inf = _is_inf_cast(node)
    if inf:
        word = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}[inf]
        return exp.Cast(this=exp.Literal.string(word), to=exp.DataType.build("DOUBLE"))
    if isinstance(node, (exp.RegexpLike, exp.RegexpReplace, exp.RegexpExtract)):
        pattern = _string_literal(node.expression, "the regular expression")
        if isinstance(node, exp.RegexpLike) and node.args.get("flag") is not None:
            raise NotTranspilable("regexp_matches with options")
        node.set("expression", exp.Literal.string(re2_to_java(pattern)))
        if isinstance(node, exp.RegexpReplace):
            mods = node.args.get("modifiers")
            mods = _string_literal(mods, "the options") if mods is not None else ""
            if set(mods) - {"g"}:
                raise NotTranspilable(f"regexp_replace options {mods!r}")
            if "g" not in mods and not (pattern.startswith("^") or pattern.endswith("$")):
                raise NotTranspilable("regexp_replace of the first match only (Spark replaces all)")
            node.set("modifiers", None)
            repl = _string_literal(node.args.get("replacement"), "the replacement")
            if "\\" in repl or "$" in repl:
                raise NotTranspilable("regexp_replace with group references")
        if isinstance(node, exp.RegexpExtract):
            group = node.args.get("group")
            if isinstance(group, exp.Array):
                names = [_string_literal(g, "a group name") for g in group.expressions]
                fields = [exp.PropertyEQ(this=exp.to_identifier(n),
                                         expression=exp.RegexpExtract(this=node.this.copy(),
                                                                      expression=node.expression.copy(),
                                                                      group=exp.Literal.number(i)))
                          for i, n in enumerate(names, 1)]
                return exp.Struct(expressions=fields)
        return node
    if isinstance(node, exp.Div):
        n, d = node.this, node.expression
        inf_lit = exp.Cast(this=exp.Literal.string("Infinity"), to=exp.DataType.build("DOUBLE"))
        return exp.Paren(this=exp.Case(ifs=[exp.If(this=exp.EQ(this=d.copy(), expression=exp.Literal.number(0)),
                                                   true=exp.Mul(this=exp.Paren(this=n.copy()), expression=inf_lit))],
                                       default=node))
    return node


def _conjuncts(e: exp.Expression | None) -> list[exp.Expression]:
    if e is None:
        return []
    if isinstance(e, exp.Paren):
        return _conjuncts(e.this)
    if isinstance(e, exp.And):
        return _conjuncts(e.this) + _conjuncts(e.expression)
    return [e]


def _inline_lexicon(node: exp.Expression, lexicon: dict[str, list[str]]) -> exp.Expression:
    """EXISTS (SELECT … FROM lexicon l WHERE l.list = 'x' AND P(l.term)) and the scalar
    (SELECT max_by(l.term, f(l.term)) FROM lexicon l WHERE …) over the word lists inlined as
    array literals: Spark plans correlated subqueries with non-equality predicates as
    many shuffles (20 s for one rule on a laptop); an array expression is one pass.
    Anything else is left to Spark."""
    scalar = isinstance(node, exp.Subquery) and not isinstance(node.parent, (exp.From, exp.Join))
    if not (isinstance(node, exp.Exists) or scalar):
        return node
    q = node.this
    if not isinstance(q, exp.Select) or q.args.get("joins") or q.args.get("group") or q.args.get("having") \
            or q.args.get("order") or q.args.get("limit") or q.args.get("with") or q.args.get("distinct"):
        return node
    frm = _select_from(q)
    if frm is None or not isinstance(frm.this, exp.Table) or frm.this.name.lower() != "lexicon" or frm.this.args.get("db"):
        return node
    alias = (frm.this.alias or "lexicon").lower()
    lists: set[str] | None = None
    rest = []
    where = q.args.get("where")
    for c in _conjuncts(where.this if where is not None else None):
        col = c.this if isinstance(c, (exp.EQ, exp.In)) else None
        if isinstance(col, exp.Column) and col.name.lower() == "list" and col.table.lower() in ("", alias) and lists is None:
            vals = [c.expression] if isinstance(c, exp.EQ) else c.expressions
            if vals and all(isinstance(v, exp.Literal) and v.is_string for v in vals) and not c.args.get("query"):
                lists = {v.this for v in vals}
                continue
        rest.append(c)
    if lists is None:
        return node

    def own(col: exp.Column) -> bool:
        return col.table.lower() == alias or (not col.table and col.name.lower() in ("term", "list"))

    for part in rest:
        for col in part.find_all(exp.Column):
            if own(col) and col.name.lower() != "term":
                return node
        if part.find(exp.Subquery, exp.Exists, exp.AggFunc):
            return node
    var = "__t"

    def bind(e: exp.Expression) -> exp.Expression:
        return e.copy().transform(lambda n: exp.column(var) if isinstance(n, exp.Column) and own(n) else n, copy=False)

    terms = [t for name in sorted(lists) for t in lexicon.get(name, [])]
    arr = exp.Cast(this=exp.Array(expressions=[exp.Literal.string(t) for t in terms]),
                   to=exp.DataType.build("ARRAY<STRING>", dialect="spark"))
    pred = functools.reduce(lambda a, b: exp.and_(a, b), [bind(p) for p in rest]) if rest else exp.true()
    kept = exp.func("FILTER", arr, exp.Lambda(this=exp.func("COALESCE", exp.Paren(this=pred), exp.false()),
                                              expressions=[exp.to_identifier(var)]))
    if isinstance(node, exp.Exists):
        return exp.Paren(this=exp.GT(this=exp.func("SIZE", kept), expression=exp.Literal.number(0)))
    if len(q.expressions) != 1:
        return node
    proj = q.expressions[0].unalias()
    if not isinstance(proj, exp.ArgMax) or not (isinstance(proj.this, exp.Column) and own(proj.this)
                                                and proj.this.name.lower() == "term"):
        return node
    key = proj.expression
    if any(not own(c) for c in key.find_all(exp.Column)):
        return node
    pairs = exp.func("TRANSFORM", kept, exp.Lambda(
        this=exp.func("NAMED_STRUCT", exp.Literal.string("k"), bind(key), exp.Literal.string("v"), exp.column(var)),
        expressions=[exp.to_identifier(var)]))
    return exp.Paren(this=exp.Dot(this=exp.func("ARRAY_MAX", pairs), expression=exp.to_identifier("v")))


def to_spark(query: str, lexicon: dict[str, list[str]] | None = None) -> Transpiled:
    """The rule in Spark SQL; with `lexicon` (list -> terms, as the run will register it)
    lookups in the word lists are inlined as array expressions (see _inline_lexicon)."""
    tree = parse(query)
    tree = bottom_up(tree, _spark_node)
    if lexicon is not None:
        tree = bottom_up(tree, lambda n: _inline_lexicon(n, lexicon))
    return Transpiled(generate(tree, "spark"), set(), tree)


def sql_for(query: str, dialect: str) -> Transpiled:
    if dialect == "sqlite":
        return to_sqlite(query)
    if dialect == "spark":
        return to_spark(query)
    raise ValueError(f"unknown dialect {dialect}")
