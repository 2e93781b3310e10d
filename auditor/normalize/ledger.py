"""Budget approval / final-account tables -> `ledger` rows (one per printed
amount cell of an item), one `tables` row, and `claims` from free-text cells.
Reader-agnostic: it reads RawTable rows of Cells, whichever reader made them.

Shapes read (all from the header and the cells' content, never from column numbers):

- **coded tables** (支出预算总表, 一般公共预算支出表, 基本支出表 …): a 科目编码 column
  (or 类 / 款 / 项 columns under it, or the code printed at the start of the name
  cell), a 科目名称 column, amount columns under a multi-row header. `code` is the
  classification code, `code_kind` 'function' (功能分类, 类/款/项 = 3/5/7 digits,
  level 1/2/3) or 'economic' (经济分类, 3/5 digits, level 1/2); the code kind comes
  from the header (经济分类 / 功能分类) or else from the first digit (2 → function,
  3 and 5 → economic). The total row (合计/总计, no code) has level 0.
- **list tables** (项目支出预算表, 收入预算总表, 政府采购预算表): several name columns;
  the level is the rank of the first filled name column (a unit row 1, its
  projects 2); an item's name is that cell (later name cells are attributes, such
  as 经济科目 or 采购组织形式); a 小计 printed beside a group label
  (`其他资金 | 小计 | 14.39`) is that group's subtotal. Free-text columns (项目内容,
  测算依据 …) are not amounts; their numeric statements become `claims`.
- **two-sided tables** (收支预算总表, 财政拨款收支预算总表, 收入支出决算总表): a 收入
  side and a 支出 side, each split into its parts, a part being a name column and
  the amount columns after it (the three-part 收支预算总表: 收入 / 支出（功能分类） /
  支出（支出用途）). Each part gives its own rows with `column` = the part
  ('收入', '支出（功能分类）', or '收入·决算数' when a part has several amount
  columns) and `name` = the item. A summary line printed across the parts of a
  side (当年支出小计, 结转下年资金, 支出合计) belongs to every part of that side,
  with the amount printed at its end. Levels come from the item numbering, by
  order of appearance in the part (一、 then 1. under it: 1 and 2); unnumbered
  items 1; totals and 小计 lines 0.
- **header-only tables** (“三公”经费支出表, 支出预算总表 with one row of amounts):
  each amount column is an item, `name` = its header label (a 小计 stands for its
  group), `column` = '金额', level 0 for the …合计 column, 1 for top-level
  columns, 2 for columns under a group.

Roles, derived once here so that rules never re-match printed headers:
`role` is the item's: total (合计/总计), subtotal (小计, a group's 小计), of_which
(其中… lines, not an additive part), item. `column_role` is the amount column's:
total, basic (基本支出), project (项目支出), personnel (人员经费), public (公用经费),
part (another top-level part of the total: 单位预留机动经费, 结转下年资金 …), sub
(a column under a group), amount (the only amount of an item: 金额, a part of a
two-sided table, a header-only item).

Column labels: the header path of a column, with a group that spans every amount
column dropped (本年一般公共预算支出); a 小计/合计 under a group is the group
('基本支出'); a leaf label already used by an earlier column is prefixed with its
group ('上年结转结余一般公共预算').

The table's money unit (元 / 万元 / 亿元) is read from its unit line; its form
(which disclosure table it is, by meaning: `…基本支出预算表` is the
一般公共预算基本支出表) from the vocabulary's `ledger_titles`, into `tables.form`.
A table whose own structure does not hold as read gets a `problems` row of kind
`table_uncertain` (auditor.normalize.ledger_check).

A blank amount cell of an item gives a row with `amount` NULL (its `amount_loc`
still points at the cell), so rules can tell an unprinted amount from a missing
column. `row_no` numbers the items of the table in reading order; ordering by
(`line`, `row_no`) reproduces the printed order across page continuations, which
rules group by the table title (`tables.title`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from auditor.ingest.raw import Cell, RawTable
from auditor.model.tables import put_number
from auditor.normalize import Rows, TableContext
from auditor.normalize.claims import claims_from_text, quantity_key
from auditor.normalize.ledger_check import check_structure
from auditor.normalize.numbers import clean, parse_number

CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")
LEADING_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,3})\s+(\S.*)$")
TOTAL = re.compile(r"(合计|总计)$")
SUBTOTAL = re.compile(r"小计$")
OF_WHICH = re.compile(r"^其中[:：]")
TABLE_LABEL = re.compile(r"^(表\s*[\d一二三四五六七八九十\-－]+|附表\s*[\d一二三四五六七八九十]+|公开\s*\d+\s*表|"
                         r"公开表\s*[\d一二三四五六七八九十]+|附件\s*[\d\-－]*|单位[:：].*|\(\d{4}年度?\))$")
CODE_HEAD = re.compile(r"编码|代码")
NAME_HEAD = re.compile(r"名称|^项目$|^项目\(|科目$|^科目|^支出功能分类|^经济分类")
TEXT_HEAD = re.compile(r"内容|说明|依据|备注|测算|用途说明|摘要")
SKIP_HEAD = re.compile(r"^(行次|栏次|序号)$")
NOTE = re.compile(r"^(备注|注|说明|注释)\d*[:：]")
UNIT_NAME = re.compile(r"(?:单位名称|部门名称|部门|编制单位)[:：]\s*(.+?)\s*(?:(?:金额)?单位[:：].*)?$")
# a note saying the table is empty: 此表为空, 本表为空表, 此表无数据, 故本表为空; or a note that is only the
# unit's saying it has none of the table's kind (注：本部门无相关收支 / （无政府性基金支出）; not 无此项支出
# alone, which may be about one column). Not a condition: 如此表为空表，则表示… / 此表为空表示… / 此表无数据时…
EMPTY_TABLE = re.compile(r"(?:此|本|该)(?:张)?表(?:格)?(?:数据|内容)?(?:为空|是空表|无数据|没有数据|无内容|不涉及)(?!表?(?:的|示|时|则))")
EMPTY_ONLY = re.compile(r"^[(（]?(?:(?:备注|注|说明)\d*[:：])?\s*(?:本部门|本单位|我部门|我单位|本级)?(?:\d{4}\s*年度?)?"
                        r"(?:无|没有)(?:相关|政府性基金|国有资本经营)[\u4e00-\u9fff“”]{0,24}"
                        r"(?:收入|支出|收支|预算|经费|资金|项目)[)）]?[。.]?$")
CONDITION = re.compile(r"如果|假如|倘若|若|则|应|须|需|请|如(?=此表|本表|该表|本部门|本单位|无|没有)")
FUND_KINDS = ("政府性基金", "国有资本经营", "三公")
MONEY_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(亿元|万元|千元|元|万)")
NUMBERING = [re.compile(r"^[一二三四五六七八九十]+[、.．]"), re.compile(r"^[(（][一二三四五六七八九十]+[)）]"),
             re.compile(r"^\d+[、.．](?!\d)"), re.compile(r"^[(（]\d+[)）]"), re.compile(r"^[①-⑳]")]
LEVELS = {3: 1, 5: 2, 7: 3, 9: 4}
COLUMN_ROLES = [(re.compile(r"(合计|总计)$"), "total"), (re.compile(r"^基本支出$"), "basic"),
                (re.compile(r"^项目支出$"), "project"), (re.compile(r"^人员经费"), "personnel"),
                (re.compile(r"^公用经费"), "public")]


def _label(text: str) -> str:
    """Header/item label without the spaces PDF wrapping leaves inside words."""
    return clean(text).replace("(", "（").replace(")", "）") if text else ""


def _fold(text: str) -> str:
    return clean(text).replace("（", "(").replace("）", ")")


def _name(text: str) -> str:
    s = (text or "").strip()
    return re.sub(r"(?<=[\u4e00-\u9fff“”（）])\s+(?=[\u4e00-\u9fff“”（）])", "", s)


def _is_amount(text: str) -> bool:
    n = parse_number(text)
    return n.value is not None and n.operator is None and n.unit is None and not n.percent


def real_title(headings: list[str]) -> str | None:
    """The table's own title: the nearest heading that is not a 表N / 附件N / 单位 label."""
    for h in reversed(headings or []):
        if h and not TABLE_LABEL.match(clean(h)):
            return h.strip()
    return None


# ---------------------------------------------------------------------------
# table forms by meaning (vocabulary.yaml: ledger_titles)


@lru_cache(maxsize=1)
def _forms() -> tuple[list[tuple[str, str]], list[tuple[re.Pattern, str, str]], re.Pattern | None]:
    from auditor.recognize import vocabulary

    spec = vocabulary().get("ledger_titles") or {}
    synonyms = [(clean(a), clean(b)) for a, b in (spec.get("synonyms") or {}).items()]
    forms = [(re.compile(f["match"]), f["budget"], f.get("final") or f["budget"]) for f in spec.get("forms", [])]
    drop = spec.get("drop")
    return synonyms, forms, re.compile(drop) if drop else None


def table_form(title: str | None) -> str | None:
    """The disclosure table a title names, as the required-table lists name it
    (收支预算总表 / 收入支出决算总表 …), or None."""
    if not title:
        return None
    synonyms, forms, drop = _forms()
    text = _fold(title)
    if drop is not None:
        text = drop.sub("", text)
    for a, b in synonyms:
        text = text.replace(a, b)
    final = "决算" in text
    for pattern, budget, final_name in forms:
        if pattern.search(text):
            return final_name if final else budget
    return None


# ---------------------------------------------------------------------------


class _Header:
    def __init__(self, rows: list[list[Cell]], ncols: int):
        self.rows = rows
        self.ncols = ncols
        self.grid = [[_label(c.text) for c in r] + [""] * (ncols - len(r)) for r in rows]
        self.spans: list[list[tuple[int, int]]] = []   # per header row: (start, end) of each non-empty cell
        for r, cells in enumerate(self.grid):
            spans = []
            for j, text in enumerate(cells):
                if not text:
                    continue
                end = j + 1
                while end < ncols and not cells[end] and any(self.grid[k][end] for k in range(r + 1, len(self.grid))):
                    end += 1
                spans.append((j, end))
            self.spans.append(spans)

    def path(self, j: int) -> list[tuple[str, int, int]]:
        """Header labels over column j, top to bottom, with the span of each."""
        out = []
        for r, spans in enumerate(self.spans):
            for a, b in spans:
                if a <= j < b:
                    out.append((self.grid[r][a], a, b))
        return out

    def text(self) -> str:
        return "|".join(t for row in self.grid for t in row if t)


def _is_data_row(row: list[Cell]) -> bool:
    texts = [c.text for c in row if c.text]
    if not texts:
        return False
    if any(CODE.match(clean(t)) or LEADING_CODE.match(clean(t).replace("\u3000", " ")) for t in [c.text for c in row[:2]]):
        return True
    if TOTAL.search(_label(texts[0])) and (len(texts) == 1 or any(_is_amount(t) for t in texts[1:]) or len(texts) < 3):
        return True
    return any(_is_amount(t) for t in texts)


def _numbering_style(name: str) -> int | None:
    s = clean(name)
    for k, pattern in enumerate(NUMBERING):
        if pattern.match(s):
            return k
    return None


class _Levels:
    """Levels of numbered items in order of appearance: the first numbering style
    met is level 1, a new style after it level 2, and so on."""

    def __init__(self) -> None:
        self.order: list[int] = []

    def __call__(self, name: str) -> int:
        s = clean(name)
        if TOTAL.search(s) or SUBTOTAL.search(s):
            return 0
        style = _numbering_style(s)
        if style is None:
            return 1
        if style not in self.order:
            self.order.append(style)
        return self.order.index(style) + 1


def _row_role(name: str) -> str:
    s = clean(name)
    if OF_WHICH.match(s):
        return "of_which"
    if TOTAL.search(s):
        return "total"
    if SUBTOTAL.search(s):
        return "subtotal"
    return "item"


def _column_role(label: str, top: bool) -> str:
    s = clean(label)
    for pattern, role in COLUMN_ROLES:
        if pattern.search(s):
            if role in ("personnel", "public") or top:
                return role
    return "part" if top else "sub"


@lru_cache(maxsize=4096)
def _name_key(name: str, column: str, role: str) -> str | None:
    """The quantity a ledger amount is, as the text names it (the key of claims'
    subject_key): 一、基本支出 -> 基本支出; a 合计 row stands for its column (人员经费)."""
    key = quantity_key(name or "")
    if key is None and role == "total":
        key = quantity_key(re.sub(r"[（(][^）)]*[）)]", "", column or ""))
    return key if key and not re.fullmatch(r"列\d+|合计|总计|小计|金额", key) else None


class _Ledger:
    def __init__(self, table: RawTable, ctx: TableContext):
        self.table, self.ctx = table, ctx
        self.out: Rows = {"ledger": [], "tables": [], "claims": []}
        self.item = 0
        self.claim_no = 0
        self.unplaced: list[int | None] = []    # lines of amounts printed on no item's row

    def emit(self, line: int | None, code: str | None, code_kind: str | None, level: int | None, name: str,
             column: str, cell: Cell | None, row_no: int, role: str, column_role: str) -> None:
        row = {"doc_id": self.ctx.doc_id, "table_id": self.ctx.table_id, "row_no": row_no, "line": line,
               "code": code, "code_kind": code_kind, "level": level, "name": name, "column": column,
               "role": role, "column_role": column_role, "name_key": _name_key(name, column, role)}
        if cell is not None:
            n = parse_number(cell.text)
            if n.value is not None:
                put_number(row, "amount", n, cell.loc())
            else:   # blank, a dash or words: no amount, but the cell is still located
                row["amount_raw"] = cell.text.strip() or None
                row["amount_loc"] = cell.loc()
        self.out["ledger"].append(row)

    def claims(self, cell: Cell, subject: str | None) -> None:
        found = claims_from_text(cell.text, lambda o, c=cell: c.loc())
        for r in found:
            self.claim_no += 1
            if subject and r.get("kind") in ("total_parts",) and not r.get("subject"):
                r["subject"] = subject
            self.out["claims"].append({"doc_id": self.ctx.doc_id, "table_id": self.ctx.table_id,
                                       "claim_id": f"{self.ctx.table_id}.C{self.claim_no}", "line": cell.line, **r})


def _split_header(rows: list[list[Cell]]) -> tuple[list[list[Cell]], list[list[Cell]]]:
    k = 0
    while k < len(rows) and k < 5 and not _is_data_row(rows[k]):
        k += 1
    return rows[:k], rows[k:]


def _column_labels(header: _Header, cols: list[int]) -> tuple[dict[int, str], dict[int, bool]]:
    """Each amount column's label, and whether it is a top-level column."""
    labels: dict[int, str] = {}
    top: dict[int, bool] = {}
    used: set[str] = set()
    lo, hi = (min(cols), max(cols) + 1) if cols else (0, 0)
    for j in cols:
        path = [(t, a, b) for t, a, b in header.path(j) if not (a <= lo and b >= hi and len(cols) > 1)]
        names = [t for t, _, _ in path]
        if not names:
            labels[j], top[j] = f"列{j + 1}", True
            continue
        leaf = names[-1]
        group = names[-2] if len(names) > 1 else None
        if group and leaf in ("小计", "合计"):
            label = group
        elif group and leaf in used:
            label = group + leaf
        else:
            label = leaf
        used.add(leaf)
        labels[j] = label
        top[j] = len(names) == 1 or (len(names) == 2 and leaf in ("小计", "合计"))
    return labels, top


def _code(cells: dict[int, Cell], code_cols: list[int], prev_parts: list[str]) -> str | None:
    """The classification code of a row: one 科目编码 cell (2080502), or 类/款/项 cells
    (208 | 05 | 02) whose blank leading parts repeat the row above."""
    parts = [re.sub(r"\D", "", clean(cells[j].text)) if j in cells else "" for j in code_cols]
    if len(parts) == 1:
        return parts[0] if CODE.match(parts[0]) else None
    if not any(parts):
        return None
    last = max(i for i, p in enumerate(parts) if p)
    full = [p or (prev_parts[i] if i < len(prev_parts) and i < last else "") for i, p in enumerate(parts)][:last + 1]
    prev_parts[:] = full
    code = "".join(full)
    return code if CODE.match(code) else None


def _code_kind(code: str, header_text: str) -> str | None:
    if "经济分类" in header_text or "经济科目" in header_text:
        return "economic"
    if "功能分类" in header_text or "功能科目" in header_text:
        return "function"
    return {"2": "function", "3": "economic", "5": "economic"}.get(code[:1])


def _column_kinds(header: _Header, body: list[list[Cell]], ncols: int) -> dict[int, str]:
    """code / name / text / skip / amount / none, from each column's header and content."""
    kinds = {}
    for j in range(ncols):
        f = _fold(" ".join(t for t, _, _ in header.path(j)))
        values = [r[j].text for r in body if j < len(r) and r[j].text.strip()]
        amounts = sum(1 for v in values if _is_amount(v))
        if CODE_HEAD.search(f):
            kinds[j] = "code"
        elif TEXT_HEAD.search(f):
            kinds[j] = "text"
        elif SKIP_HEAD.match(f):
            kinds[j] = "skip"
        elif values and amounts < 0.5 * len(values):
            kinds[j] = "name"       # words, whatever the header says (an unlabelled 小计 / item column)
        elif not values and NAME_HEAD.search(f):
            kinds[j] = "name"
        elif not f and not values:
            kinds[j] = "none"
        else:
            kinds[j] = "amount"
    return kinds


def _table_row(table: RawTable, ctx: TableContext, title: str | None) -> dict:
    unit = money_unit = None
    texts = list(ctx.preamble) + list(table.preamble or []) + [c.text or "" for row in table.rows[:4] for c in row]
    for text in texts:
        s = clean(text)
        m = UNIT_NAME.search(s)
        if m and m.group(1).strip() and not MONEY_UNIT.match(m.group(1)):
            unit = m.group(1).strip()
        m = MONEY_UNIT.search(s)
        if m:
            money_unit = m.group(1)
    if money_unit == "万":
        money_unit = "万元"
    return {"doc_id": ctx.doc_id, "table_id": ctx.table_id, "kind": "ledger", "title": title, "name": None,
            "unit": unit, "money_unit": money_unit, "year": ctx.year, "line": table.first_line(),
            "form": table_form(title)}


def normalize_ledger(table: RawTable, ctx: TableContext) -> Rows:
    led = _Ledger(table, ctx)
    headings = ctx.headings or table.headings
    title = real_title(headings) or ctx.title or table.title
    led.out["tables"].append(_table_row(table, ctx, title))
    # a line without tabs inside a table run is a note (备注：如此表为空表…), not a row; so is a row
    # whose one cell says the table is empty (此表为空: empty_notes reads it)
    rows = [r for r in table.rows if sum(1 for c in r if c.text) and len(r) > 1 and not NOTE.match(clean(r[0].text))
            and _note_of(r, title) is None
            and not any(UNIT_NAME.search(clean(c.text or "")) and not _is_amount(c.text) for c in r
                        if clean(c.text or "").startswith(("单位", "部门", "编制单位")))]
    head_rows, body = _split_header(rows)
    ncols = max((len(r) for r in rows), default=0)
    header = _Header(head_rows, ncols)
    head_keys = {"|".join(_label(c.text) for c in r if c.text) for r in head_rows}
    body = [r for r in body if "|".join(_label(c.text) for c in r if c.text) not in head_keys]
    header_text = _fold(header.text() + "|" + (title or ""))
    top = [_fold(t) for t in (header.grid[0] if header.grid else [])]
    if "收入" in top and "支出" in top:
        _two_sided(led, header, body, ncols, top.index("支出"))
    else:
        kinds = _column_kinds(header, body, ncols)
        amount_cols = [j for j in range(ncols) if kinds[j] == "amount"]
        code_cols = [j for j in range(ncols) if kinds[j] == "code"]
        name_cols = [j for j in range(ncols) if kinds[j] == "name"]
        if not code_cols and not name_cols:
            _header_only(led, header, body, amount_cols)
        else:
            _listed(led, header, body, kinds, header_text)
    empty_notes(led, table.rows, title)
    check_structure(led.out, table, ctx, title, unplaced=led.unplaced)
    return led.out


def says_empty(note: str, title: str | None = None) -> bool:
    """Whether a note printed with a table says the table is empty (此表为空, 本部门无政府性基金预算收支，
    此表无数据, 注：本单位无此项支出): a statement, not a condition (如此表为空表，则表示…), and not about
    about a kind of table the title does not name (国有资本经营 under a 政府性基金 table: another table's note)."""
    s = clean(note)
    named = {k for k in FUND_KINDS if k in s}
    if named and not any(k in clean(title or "") for k in named):
        return False
    if EMPTY_ONLY.match(s) and not CONDITION.search(s):
        return True
    return any(EMPTY_TABLE.search(part) and not CONDITION.search(part) for part in re.split(r"[。；;!！?？]", s))


def _note_of(row: list[Cell], title: str | None) -> str | None:
    """The empty-table note a row is (its one filled cell, or a 注： line), else None."""
    filled = [c for c in row if c.text and c.text.strip()]
    if not filled or not (len(filled) == 1 or NOTE.match(clean(filled[0].text))):
        return None
    note = " ".join(c.text.strip() for c in filled).strip()
    return note if not _is_amount(note) and says_empty(note, title) else None


def empty_notes(led: _Ledger, rows: list[list[Cell]], title: str | None) -> None:
    """A note printed under or inside the table (a line of its own, or a 注： line) that says the
    table is empty: a claim of kind `empty_table` on the table (`text` the note, `line` its line),
    so a rule can hold it against the amounts the table prints."""
    for row in rows:
        note = _note_of(row, title)
        if note is None:
            continue
        filled = [c for c in row if c.text and c.text.strip()]
        led.claim_no += 1
        led.out["claims"].append({"doc_id": led.ctx.doc_id, "table_id": led.ctx.table_id,
                                  "claim_id": f"{led.ctx.table_id}.C{led.claim_no}", "line": filled[0].line,
                                  "kind": "empty_table", "subject": title, "text": note, "sentence": note})


def _listed(led: _Ledger, header: _Header, body: list[list[Cell]], kinds: dict[int, str], header_text: str) -> None:
    ncols = len(kinds)
    amount_cols = [j for j in range(ncols) if kinds[j] == "amount"]
    code_cols = [j for j in range(ncols) if kinds[j] == "code"]
    name_cols = [j for j in range(ncols) if kinds[j] == "name"]
    text_cols = [j for j in range(ncols) if kinds[j] == "text"]
    project_cols = [j for j in name_cols if "项目" in _fold(" ".join(t for t, _, _ in header.path(j)))]
    labels, tops = _column_labels(header, amount_cols)
    single = len(amount_cols) == 1
    roles = {j: "amount" if single else _column_role(labels[j], tops[j]) for j in amount_cols}
    # the level of an uncoded item: the position (among the name columns) of its key column, the
    # last name column it fills (a 小计 beside a group label: the label's); its name is its first
    # filled name cell. Positions, not ranks of what this table fills: a page continuation
    # printed as a table of its own keeps its levels. Levels may skip (1, 3, 5 where a column
    # is only ever an attribute); the rules take the nearest shallower item as the parent.
    rank = {j: k + 1 for k, j in enumerate(name_cols)}
    prev_parts: list[str] = []
    levels = _Levels()
    for row in body:
        cells = {c.col - 1: c for c in row}
        line = next((c.line for c in row if c.line), None)
        code = _code(cells, code_cols, prev_parts)
        filled = [(_name(cells[j].text), j) for j in name_cols if j in cells and cells[j].text.strip()]
        lead = [_name(c.text) for c in row[:max(code_cols + name_cols, default=0) + 1] if c.text.strip()]
        if code is None and filled and not code_cols or code is None and code_cols and filled \
                and not any(j in cells and cells[j].text.strip() for j in code_cols):
            m = LEADING_CODE.match(clean(filled[0][0]).replace("\u3000", " ")) or \
                LEADING_CODE.match(filled[0][0].strip())
            if m and CODE.match(m.group(1)):
                code = m.group(1)       # the code printed at the start of the name cell
                filled[0] = (_name(m.group(2)), filled[0][1])
        if code is None and code_cols:
            # 合计 / a code with its name in the code column (a cell spanning both)
            for j in code_cols:
                text = _name(cells[j].text) if j in cells else ""
                m = LEADING_CODE.match(text)
                if m and CODE.match(m.group(1)):
                    code = m.group(1)
                    if not filled:
                        filled = [(_name(m.group(2)), j)]
                    break
        if code is not None:
            level = LEVELS.get(len(code))
            # a project list with codes: the item is the project, the code only classifies it
            named = [n for n, j in filled if j in project_cols] or [n for n, _ in filled]
            name = named[0] if named else ""
            kind = _code_kind(code, header_text)
            role = "item"
        else:
            if not filled and not lead:
                if any(j in cells and _is_amount(cells[j].text) for j in amount_cols) and led.item:
                    led.unplaced.append(line)   # amounts on a line of their own, below an item
                continue
            first = filled[0][0] if filled else lead[0]
            name = first
            if TOTAL.search(clean(first)) or (not filled and TOTAL.search(clean(lead[0]))):
                level, name, role = 0, first, "total"
            elif filled and any(SUBTOTAL.fullmatch(clean(n)) for n, _ in filled[1:]):
                level, role = rank.get(filled[0][1], 1), "subtotal"   # 其他资金 | 小计 | 14.39
            elif len(name_cols) > 1 and filled:
                level, role = rank.get(_key_column(row, name_cols), 1), _row_role(first)
            else:
                level, role = levels(name), _row_role(name)
                if role == "subtotal":
                    level = 0
            kind = None
        led.item += 1
        for j in amount_cols:
            led.emit(line, code, kind, level, name, labels[j], cells.get(j) or Cell("", line, j + 1), led.item,
                     role, roles[j])
        for j in text_cols:
            if j in cells and cells[j].text.strip():
                led.claims(cells[j], name)


def _key_column(row: list[Cell], name_cols: list[int]) -> int | None:
    filled = [j for j in name_cols if j < len(row) and row[j].text.strip()]
    if not filled or TOTAL.search(clean(row[filled[0]].text)):
        return None
    last = filled[-1]
    if len(filled) > 1 and (SUBTOTAL.fullmatch(clean(row[last].text)) or TOTAL.fullmatch(clean(row[last].text))):
        return filled[0]
    return last


def _parts(header: _Header, cols: list[int], kinds: dict[int, str], side: str) -> list[tuple[str, int, list[int]]]:
    """A side's parts: (label, name column, amount columns)."""
    starts = [j for j in cols if kinds.get(j) == "name"] or cols[:1]
    parts = []
    for k, j in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else cols[-1] + 1
        amounts = [c for c in cols if j < c < end and kinds.get(c) == "amount"]
        parts.append((j, amounts))
    out = []
    for j, amounts in parts:
        if len(parts) == 1:
            label = side
        else:
            path = header.path(j)       # side / part / leaf
            group = path[1][0] if len(path) >= 3 else None
            label = f"{side}（{group or len(out) + 1}）"
        out.append((label, j, amounts))
    return out


def _two_sided(led: _Ledger, header: _Header, body: list[list[Cell]], ncols: int, split: int) -> None:
    top = header.grid[0]
    kinds = _column_kinds(header, body, ncols)
    for j in range(ncols):
        leaf = header.path(j)[-1][0] if header.path(j) else ""
        if kinds[j] == "none" and leaf:
            kinds[j] = "amount"
        if kinds[j] == "code":
            kinds[j] = "name"
    sides = [(_label(top[0]) or "收入", list(range(0, split))), (_label(top[split]) or "支出", list(range(split, ncols)))]
    for side, cols in sides:
        side_label = "收入" if "收入" in side else ("支出" if "支出" in side else side)
        parts = _parts(header, cols, kinds, side_label)
        levels = {label: _Levels() for label, _, _ in parts}
        for row in body:
            cells = {c.col - 1: c for c in row}
            line = next((c.line for c in row if c.line), None)
            names = [(_name(cells[j].text) if j in cells else "") for _, j, _ in parts]
            spread = _spread(names, parts, cells)
            for k, (label, name_col, amount_cols) in enumerate(parts):
                name, amount_of = names[k], None
                if not name and spread is not None and k > spread[0]:
                    name, amount_of = names[spread[0]], spread[1]
                elif spread is not None and k == spread[0]:
                    amount_of = spread[1]
                if not name:
                    continue
                led.item += 1
                role = _row_role(name)
                level = levels[label](name)
                for n, j in enumerate(amount_cols):
                    leaf = header.path(j)[-1][0] if header.path(j) else str(j + 1)
                    column = label if len(amount_cols) == 1 else f"{label}·{leaf}"
                    cell = cells.get(j) or Cell("", line, j + 1)
                    if amount_of is not None and len(amount_of) == len(amount_cols):
                        cell = amount_of[n]
                    led.emit(line, None, None, level, name, column, cell, led.item, role, "amount")


def _spread(names: list[str], parts, cells: dict[int, Cell]):
    """A summary line printed across the parts of a side (当年支出小计 … 18,330.37):
    (the part its label stands in, the amount cells printed at its end), else None."""
    filled = [k for k, n in enumerate(names) if n]
    if len(parts) < 2 or len(filled) != 1:
        return None
    k = filled[0]
    if _numbering_style(names[k]) is not None or k == len(parts) - 1:
        return None
    own = [cells.get(j) for j in parts[k][2]]
    if any(c is not None and c.text.strip() for c in own):
        return None
    for label, _, amounts in reversed(parts[k + 1:]):
        got = [cells.get(j) for j in amounts]
        if any(c is not None and c.text.strip() for c in got):
            line = next((c.line for c in cells.values() if c.line), None)
            return k, [c or Cell("", line, j + 1) for c, j in zip(got, amounts)]
    return k, None


def _header_only(led: _Ledger, header: _Header, body: list[list[Cell]], cols: list[int]) -> None:
    for row in body:
        cells = {c.col - 1: c for c in row}
        line = next((c.line for c in row if c.line), None)
        for j in cols:
            path = [t for t, _, _ in header.path(j)]
            if not path:
                continue
            leaf = path[-1]
            role = "item"
            if leaf in ("小计", "合计") and len(path) > 1:
                name, level, role = path[-2], len(path) - 1, "subtotal"
            else:
                name, level = leaf, len(path)
            if TOTAL.search(name):
                level, role = 0, "total"
            led.item += 1
            led.emit(line, None, None, level, name, "金额", cells.get(j) or Cell("", line, j + 1), led.item,
                     role, "amount")


__all__ = ["normalize_ledger", "real_title", "table_form"]
