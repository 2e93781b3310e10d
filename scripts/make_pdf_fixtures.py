"""Write the PDF fixtures in tests/fixtures/pdf/ from the project's own text
renditions, so that a PDF and a text file hold the same content:

    python scripts/make_pdf_fixtures.py [OUTDIR]

Needs reportlab (pip install reportlab); the Chinese text uses reportlab's
built-in CID font STSong-Light, which needs no font file (PDF readers supply a
Song typeface). The scanned fixture is a rendering of the first PDF (pypdfium2,
which comes with pdfplumber) put back into a PDF as an image, with no text layer.

Each PDF is written next to the .txt it was drawn from:
- project_selfeval: sample_data/project_selfeval.txt (merged cells, page footer)
- dept_selfeval: tests/fixtures/excerpts/selfeval_rows.txt lines 1-47, landscape,
  running header and footers, runs over two pages without a repeated header
- budget_functions: a 一般公共预算支出表 with 3/5/7-digit function codes
- budget_unruled: the same table printed without ruling lines (aligned text)
- narrative: a title and two paragraphs with numbers
- split_table: a long table over two pages, its header repeated on page 2
- encrypted (opening password), truncated (first 60% of the bytes), scanned

Cell texts are wrapped only where auditor.ingest.pdf.join_sep puts back what
was removed, so a reader that rejoins lines that way gets the text back exactly.
"""
from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from auditor.ingest.pdf import join_sep
from auditor.ingest.raw import Paragraph, RawTable
from auditor.ingest.text import PROSE_MIN, heading_text, parse_text

FONT = "STSong-Light"
PAD = 3.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50.0, 72.0, 64.0


class Unwrappable(ValueError):
    pass


def _w(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def _breaks(s: str):
    """(line end, rest start) pairs where s can be cut and rejoined by join_sep."""
    for p in range(1, len(s)):
        if s[p] == " " and s[p - 1] != " " and p + 1 < len(s) and s[p + 1] != " " \
                and join_sep(s[p - 1], s[p + 1]) == " ":
            yield p, p + 1
        elif s[p] != " " and s[p - 1] != " " and join_sep(s[p - 1], s[p]) == "" \
                and not (s[p - 1].isascii() and s[p].isascii()):    # keep numbers and words whole
            yield p, p


def wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    s = text
    while s and _w(s, size) > width:
        best = None
        for end, start in _breaks(s):
            if _w(s[:end], size) <= width:
                best = (end, start)
            else:
                break
        if best is None:
            raise Unwrappable(f"cannot wrap {s!r} in {width:.0f}pt at {size}pt")
        lines.append(s[:best[0]])
        s = s[best[1]:]
    if s:
        lines.append(s)
    return lines or [""]


def min_width(text: str, size: float) -> float:
    atoms, prev = [], 0
    for e, st in [(e, st) for e, st in _breaks(text)] + [(len(text), len(text))]:
        atoms.append(text[prev:e])
        prev = st
    return max((_w(a.strip(), size) for a in atoms), default=0.0)


# ---------------------------------------------------------------------------


@dataclass
class Table:
    rows: list[list[str]]
    merges: bool = False
    ruled: bool = True
    repeat_header: int = 0


@dataclass
class Doc:
    items: list[tuple[str, object]]            # (title|heading|para|line, text) or (table, Table)
    pagesize: tuple[float, float] = A4
    size: float = 9.0
    running: str | None = None
    footer: str | None = None                  # "dash" -> "- 3 -", "di" -> "第 3 页", "dizong" -> "第 3 页 共 4 页"
    encrypt: str | None = None


def _spans(rows: list[list[str]], merges: bool) -> dict[tuple[int, int], tuple[int, int]]:
    """origin (r, c) -> (rowspan, colspan); cells covered by a merge are absent."""
    n, m = len(rows), len(rows[0])
    covered: set[tuple[int, int]] = set()
    out: dict[tuple[int, int], tuple[int, int]] = {}
    vspan = {}
    if merges:
        for r in range(n):
            if rows[r][0]:
                k = r + 1
                while k < n and not rows[k][0] and any(rows[k]):
                    k += 1
                vspan[r] = k - r
                for j in range(r + 1, k):
                    covered.add((j, 0))
    for r in range(n):
        filled = sum(1 for t in rows[r] if t)
        for c in range(m):
            if (r, c) in covered:
                continue
            rs = vspan.get(r, 1) if c == 0 else 1
            cs = 1
            if merges and rows[r][c] and rs == 1 and filled <= m / 2:
                while c + cs < m and not rows[r][c + cs] and (r, c + cs) not in covered:
                    cs += 1
            for k in range(c + 1, c + cs):
                covered.add((r, k))
            out[(r, c)] = (rs, cs)
    return out


def _widths(rows, spans, avail: float, size: float) -> list[float]:
    m = len(rows[0])
    nat, mn = [14.0] * m, [14.0] * m
    for (r, c), (rs, cs) in spans.items():
        t = rows[r][c]
        if cs == 1 and t:
            nat[c] = max(nat[c], _w(t, size) + 2 * PAD + 1)
            mn[c] = max(mn[c], min_width(t, size) + 2 * PAD + 1)
    if sum(nat) <= avail:
        extra = avail - sum(nat)
        return [w + extra * w / sum(nat) for w in nat]
    if sum(mn) > avail:
        raise Unwrappable(f"table needs {sum(mn):.0f}pt, page has {avail:.0f}pt")
    room, want = avail - sum(mn), [a - b for a, b in zip(nat, mn)]
    return [b + room * w / sum(want) for b, w in zip(mn, want)]


class Writer:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.buf = io.BytesIO()
        kw = {}
        if doc.encrypt:
            from reportlab.lib.pdfencrypt import StandardEncryption

            kw["encrypt"] = StandardEncryption(doc.encrypt, ownerPassword=doc.encrypt + "-owner")
        self.c = canvas.Canvas(self.buf, pagesize=doc.pagesize, invariant=1, **kw)
        self.c.setTitle("auditor PDF fixture")
        self.W, self.H = doc.pagesize
        self.page = 1
        self.y = self.H - MARGIN_TOP
        self.lead = doc.size * 1.35
        self._furniture()

    def _furniture(self) -> None:
        c, d = self.c, self.doc
        if d.running:
            c.setFont(FONT, 8)
            c.drawCentredString(self.W / 2, self.H - 36, d.running)
            c.setLineWidth(0.5)
            c.line(MARGIN_X, self.H - 40, self.W - MARGIN_X, self.H - 40)
        if d.footer:
            text = {"dash": f"- {self.page} -", "di": f"第 {self.page} 页",
                    "dizong": f"第 {self.page} 页 共 {self.total} 页"}[d.footer]
            c.setFont(FONT, 8)
            c.drawCentredString(self.W / 2, 30, text)

    total = 0

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = self.H - MARGIN_TOP
        self._furniture()

    def need(self, h: float) -> None:
        if self.y - h < MARGIN_BOTTOM:
            self.new_page()

    def text_line(self, text: str, size: float, center: bool = False, indent: float = 0.0) -> None:
        lead = size * 1.45
        self.need(lead)
        self.c.setFont(FONT, size)
        base = self.y - size
        if center:
            self.c.drawCentredString(self.W / 2, base, text)
        else:
            self.c.drawString(MARGIN_X + indent, base, text)
        self.y -= lead

    def para(self, text: str) -> None:
        size = self.doc.size + 1
        avail = self.W - 2 * MARGIN_X
        indent = 2 * size
        first = wrap(text, avail - indent, size)[0]
        rest = text[len(first):].lstrip(" ") if len(first) < len(text) else ""
        if rest and text[len(first)] == " ":
            rest = text[len(first) + 1:]
        self.text_line(first, size, indent=indent)
        for line in wrap(rest, avail, size) if rest else []:
            self.text_line(line, size)
        self.y -= size * 0.8

    def table(self, t: Table) -> None:
        size = self.doc.size
        rows = [list(r) for r in t.rows]
        m = max(len(r) for r in rows)
        rows = [r + [""] * (m - len(r)) for r in rows]
        spans = _spans(rows, t.merges)
        avail = self.W - 2 * MARGIN_X
        while True:
            try:
                widths = _widths(rows, spans, avail, size)
                wrapped = {}
                for (r, c), (rs, cs) in spans.items():
                    wrapped[(r, c)] = wrap(rows[r][c], sum(widths[c:c + cs]) - 2 * PAD - 1, size) \
                        if rows[r][c] else []
                break
            except Unwrappable:
                size -= 0.5
                if size < 5:
                    raise
        lead = size * 1.3
        heights = [0.0] * len(rows)
        for (r, c), (rs, cs) in spans.items():
            if rs == 1:
                heights[r] = max(heights[r], len(wrapped[(r, c)]) * lead + 2 * PAD)
        heights = [max(h, lead + 2 * PAD) for h in heights]
        for (r, c), (rs, cs) in spans.items():
            need = len(wrapped[(r, c)]) * lead + 2 * PAD
            have = sum(heights[r:r + rs])
            if need > have:
                heights[r + rs - 1] += need - have
        xs = [MARGIN_X]
        for w in widths:
            xs.append(xs[-1] + w)
        breakable = [not any((r, 0) in spans and spans[(r, 0)][0] > 1 and r < k < r + spans[(r, 0)][0]
                             for r in range(len(rows))) for k in range(len(rows))]
        header = list(range(t.repeat_header))
        r = 0
        on_page: list[int] = []
        while r < len(rows):
            group = [r]
            k = r + 1
            while k < len(rows) and not breakable[k]:
                group.append(k)
                k += 1
            h = sum(heights[j] for j in group)
            if self.y - h < MARGIN_BOTTOM and on_page:
                self.new_page()
                on_page = []
                if header and r >= len(header):
                    for j in header:
                        self._row(j, rows, spans, wrapped, heights, xs, lead, size, t.ruled)
            for j in group:
                self._row(j, rows, spans, wrapped, heights, xs, lead, size, t.ruled)
                on_page.append(j)
            r = k
        self.y -= size

    def _row(self, r, rows, spans, wrapped, heights, xs, lead, size, ruled) -> None:
        c = self.c
        top = self.y
        for k in range(len(rows[r])):
            if (r, k) not in spans:
                continue
            rs, cs = spans[(r, k)]
            h = sum(heights[r:r + rs])
            x0, x1 = xs[k], xs[k + cs]
            if ruled:
                c.setLineWidth(0.6)
                c.rect(x0, top - h, x1 - x0, h, stroke=1, fill=0)
            lines = wrapped[(r, k)]
            if lines:
                c.setFont(FONT, size)
                block = len(lines) * lead
                y = top - (h - block) / 2 - lead + (lead - size) / 2 + size * 0.12
                for line in lines:
                    c.drawString(x0 + PAD + 0.5, y, line)
                    y -= lead
        self.y -= heights[r]

    def render(self) -> bytes:
        for kind, value in self.doc.items:
            if kind == "title":
                self.need(40)
                self.text_line(str(value), 16, center=True)
                self.y -= 6
            elif kind == "heading":
                self.need(30)
                self.text_line(str(value), 13, center=True)
            elif kind == "line":
                self.text_line(str(value), self.doc.size + 1, center=True)
            elif kind == "para":
                self.para(str(value))
            elif kind == "break":
                self.new_page()
            else:
                self.table(value)  # type: ignore[arg-type]
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def render(doc: Doc) -> bytes:
    """Two passes, so a footer can say how many pages there are."""
    first = Writer(doc)
    data = first.render()
    Writer.total = first.page
    return Writer(doc).render() if doc.footer == "dizong" else data


# ---------------------------------------------------------------------------
# content


def items_from_text(text: str) -> list[tuple[str, object]]:
    """A text rendition -> drawing items, in the order the text reader sees them."""
    doc = parse_text("x", text)
    items: list[tuple[int, str, object]] = []
    first = True
    for no, line in enumerate(text.split("\n"), 1):
        head = heading_text(line) if not line.startswith("\t") else None
        if head:
            items.append((no, "title" if first else "heading", head))
            first = False
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            long = len(b.text) >= PROSE_MIN or b.text.endswith("。")
            items.append((b.line, "para" if long else "line", b.text))
        elif isinstance(b, RawTable):
            m = max((c.col for r in b.rows for c in r if c.text), default=1)
            grid = []
            for r in b.rows:
                row = [""] * m
                for c in r:
                    if c.text:
                        row[c.col - 1] = c.text
                grid.append(row)
            items.append((b.line or b.rows[0][0].line, "table", Table(grid)))
    items.sort(key=lambda t: t[0])
    return [(k, v) for _, k, v in items]


BUDGET_TITLE = "2024年一般公共预算支出表"
BUDGET_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
BUDGET_ITEMS = [
    ("2010301", "行政运行", "412.36", "412.36", ""),
    ("2010350", "事业运行", "96.80", "96.80", ""),
    ("2080501", "行政单位离退休", "38.20", "38.20", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "61.44", "61.44", ""),
    ("2101101", "行政单位医疗", "27.35", "27.35", ""),
    ("2130101", "行政运行", "218.90", "218.90", ""),
    ("2130104", "事业运行", "131.25", "131.25", ""),
    ("2130153", "农田建设", "1280.50", "", "1280.50"),
    ("2130505", "生产发展", "356.00", "", "356.00"),
    ("2210201", "住房公积金", "45.72", "45.72", ""),
]
BUDGET_NAMES = {"201": "一般公共服务支出", "20103": "政府办公厅(室)及相关机构事务",
                "208": "社会保障和就业支出", "20805": "行政事业单位养老支出",
                "210": "卫生健康支出", "21011": "行政事业单位医疗",
                "213": "农林水支出", "21301": "农业农村", "21305": "巩固脱贫攻坚成果衔接乡村振兴",
                "221": "住房保障支出", "22102": "住房改革支出"}

KUAN = ["综合事务", "业务管理", "专项事务", "信息化管理", "其他事务", "机关服务", "监督检查", "公共服务",
        "基础设施", "资源保护", "宣传教育", "人才培养"]


def _money(v: float) -> str:
    return f"{v:.2f}" if v else ""


def budget_rows(items) -> list[list[str]]:
    """Items -> rows with their 类 and 款 parents summed, and a total row."""
    def val(s: str) -> float:
        return float(s) if s else 0.0

    rows = [BUDGET_HEADER]
    sums: dict[str, list[float]] = {}
    for code, _name, *amounts in items:
        for key in (code[:3], code[:5], "total"):
            acc = sums.setdefault(key, [0.0, 0.0, 0.0])
            for i, a in enumerate(amounts):
                acc[i] += val(a)
    t = sums["total"]
    rows.append(["", "合计", _money(t[0]), _money(t[1]), _money(t[2])])
    done: set[str] = set()
    for code, name, *amounts in items:
        for key in (code[:3], code[:5]):
            if key not in done:
                done.add(key)
                s = sums[key]
                rows.append([key, BUDGET_NAMES.get(key) or KUAN[int(key[3:]) % len(KUAN)], _money(s[0]), _money(s[1]), _money(s[2])])
        rows.append([code, name, *amounts])
    return rows


def long_items(n: int) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(2024)
    names = ["行政运行", "一般行政管理事务", "机关服务", "事业运行", "其他支出", "信息化建设", "专项业务活动",
             "农业生产发展", "病虫害控制", "农产品质量安全", "执法监管", "统计监测与信息服务", "防灾减灾",
             "农业资源保护修复与利用", "对外交流与合作", "农村道路建设", "成品油价格改革对渔业的补贴"]
    out = []
    codes = set()
    while len(out) < n:
        klass = rng.choice(["201", "208", "210", "213", "221"])
        code = klass + f"{rng.randint(1, 12):02d}" + f"{rng.randint(1, 99):02d}"
        if code in codes:
            continue
        codes.add(code)
        basic = round(rng.uniform(5, 400), 2) if rng.random() < 0.6 else 0.0
        project = round(rng.uniform(5, 900), 2) if basic == 0 or rng.random() < 0.3 else 0.0
        out.append((code, rng.choice(names), _money(basic + project), _money(basic), _money(project)))
    out.sort()
    return out


NARRATIVE_TITLE = "2023年度部门整体支出绩效自评报告"
NARRATIVE = [
    ("2023年度本部门年初预算收入1,971.31万元，其中一般公共预算拨款1,845.60万元，占93.62%；"
     "全年支出1,862.45万元，较上年减少108.86万元，下降5.52%，主要原因是项目支出压减。"),
    ("基本支出1,012.02万元，占全年支出的54.34%，其中人员经费862.30万元、公用经费149.72万元；"
     "项目支出850.43万元，占全年支出的45.66%。部门整体绩效自评得分95.41分，评价等级为“优”。"),
]


def table_text(title: str, rows: list[list[str]], before: list[str] = ()) -> str:
    out = [f"# {title}", ""]
    for line in before:
        out += [line, ""]
    out += ["\t".join(r) for r in rows]
    return "\n".join(out) + "\n"


def fixtures() -> dict[str, tuple[str, Doc]]:
    """name -> (text rendition, drawing)."""
    out: dict[str, tuple[str, Doc]] = {}
    project = (ROOT / "sample_data" / "project_selfeval.txt").read_text(encoding="utf-8")
    items = items_from_text(project)
    for _, v in items:
        if isinstance(v, Table):
            v.merges = True
    out["project_selfeval"] = (project, Doc(items, footer="dash"))

    dept_lines = (ROOT / "tests" / "fixtures" / "excerpts" / "selfeval_rows.txt").read_text(
        encoding="utf-8").split("\n")[:47]
    dept = "\n".join(dept_lines) + "\n"
    out["dept_selfeval"] = (dept, Doc(items_from_text(dept), pagesize=landscape(A4), size=7.5,
                                      running="抚顺市医疗保障事务服务中心 2022年度部门整体绩效自评", footer="di"))

    budget = budget_rows(BUDGET_ITEMS)
    text = table_text(BUDGET_TITLE, budget, ["单位：万元"])
    out["budget_functions"] = (text, Doc(items_from_text(text), footer="dizong"))
    unruled = items_from_text(text)
    for _, v in unruled:
        if isinstance(v, Table):
            v.ruled = False
    out["budget_unruled"] = (text, Doc(unruled, footer="dizong"))

    text = f"# {NARRATIVE_TITLE}\n\n" + "\n\n".join(NARRATIVE) + "\n"
    out["narrative"] = (text, Doc(items_from_text(text)))

    rows = budget_rows(long_items(52))
    text = table_text("2024年部门支出预算明细表", rows, ["单位：万元"])
    items = items_from_text(text)
    for _, v in items:
        if isinstance(v, Table):
            v.repeat_header = 1
    out["split_table"] = (text, Doc(items, running="青川市农业农村局 2024年部门预算", footer="dash"))
    return out


def scanned(pdf_bytes: bytes) -> bytes:
    """The first page of a PDF as a 150-dpi grey image in a PDF without text."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader

    pdf = pdfium.PdfDocument(pdf_bytes)
    page = pdf[0]
    w, h = page.get_size()
    image = page.render(scale=150 / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w, h), invariant=1)
    c.drawImage(ImageReader(image), 0, 0, width=w, height=h)
    c.showPage()
    c.save()
    return buf.getvalue()


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "fixtures" / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    made = fixtures()
    for name, (text, doc) in made.items():
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
        (out / f"{name}.pdf").write_bytes(render(doc))
    text, doc = made["project_selfeval"]
    doc.encrypt = "auditor"
    (out / "encrypted.pdf").write_bytes(render(doc))
    doc.encrypt = None
    whole = (out / "project_selfeval.pdf").read_bytes()
    (out / "truncated.pdf").write_bytes(whole[: int(len(whole) * 0.6)])
    (out / "scanned.pdf").write_bytes(scanned(whole))
    for f in sorted(out.glob("*.pdf")):
        print(f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}  {f.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv)
