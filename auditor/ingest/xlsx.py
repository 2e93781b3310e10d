"""Excel workbooks (.xlsx/.xlsm) -> RawDocument, with openpyxl in read-only mode.

Every visible sheet is streamed row by row and cut into blocks by the grid
segmenter (blank rows and title rows end a table). A merged range keeps its
value in the top-left cell and leaves the rest empty, as a text extraction
does. Numbers are rendered with their cell's number format, so `0.8279` shown
as `0.00%` is read as "82.79%": the printed precision is what the checks reason
about. Before openpyxl sees the file, the zip directory is checked against
decompression bombs.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import warnings
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from auditor.ingest.grid import FormatError, GridRow, Segmenter, clean_cell
from auditor.ingest.raw import Cell, RawDocument
from auditor.ingest.text import heading_text

DEFAULT_MAX_CELLS = 2_000_000
MAX_ZIP_RATIO = 100
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
# below this expanded size a high ratio is harmless (a tiny workbook of repeated empty styled cells)
RATIO_FLOOR_BYTES = 8 * 1024 * 1024

# Number formats that Chinese-locale Excel stores by id only (ECMA-376 18.8.30, zh-CN);
# openpyxl knows them as "General" and hands over the date serial.
ZH_BUILTIN_FORMATS = {
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}


def guard_zip(path: str | Path, max_ratio: float = MAX_ZIP_RATIO, max_bytes: int = MAX_UNZIPPED_BYTES,
              kind: str = "Excel") -> list[str]:
    """Refuse a zip that would expand beyond `max_bytes` or `max_ratio` × its size.
    Reads only the central directory; zipfile never inflates a member past its
    declared size, so the declared sizes bound what openpyxl/python-docx can read."""
    size = max(1, Path(path).stat().st_size)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise FormatError(f"文件已损坏（ZIP 结构无效），无法作为 {kind} 读取") from None
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        raise FormatError(f"疑似压缩炸弹：解压后 {total / 2**20:.0f} MB，超过上限 {max_bytes / 2**20:.0f} MB，已拒绝读取")
    if total > max_ratio * size and total > RATIO_FLOOR_BYTES:
        raise FormatError(f"疑似压缩炸弹：解压后 {total / 2**20:.1f} MB，是压缩文件的 {total / size:.0f} 倍"
                         f"（上限 {max_ratio:g} 倍），已拒绝读取")
    return [i.filename for i in infos]


def guard_parts(path: str | Path, kind: str, streamed: tuple[str, ...] = ()) -> None:
    """Refuse an XML part that the reader parses whole (Excel's shared strings and styles, every
    Word part) when its declared size is past the memory budget (auditor.ingest.limits); parts
    read as a stream (`streamed`, Excel's sheets) are bounded by their cells instead."""
    from auditor.ingest.limits import current

    budget = current()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            name = info.filename
            if not name.lower().endswith((".xml", ".rels")) or name.startswith(streamed):
                continue
            if info.file_size > budget.xml_part_bytes:
                raise FormatError(f"{kind} 文件的部件 {name} 过大（解压后 {_size(info.file_size)}，上限 "
                                  f"{_size(budget.xml_part_bytes)}）{budget.note()}，已拒绝读取")


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 10 * 2**20 else f"{n / 2**10:,.0f} KB"


# ---------------------------------------------------------------------------
# number formats -> printed text


def _round15(value: float) -> Decimal:
    """The value as Excel holds it: 15 significant digits (0.1+0.2 is 0.3)."""
    return Decimal(format(value, ".15g"))


def format_general(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return "#NUM!"
    d = _round15(value)
    if d == d.to_integral_value() and abs(d) < Decimal("1e15"):
        return str(int(d))
    if Decimal("1e-9") <= abs(d) < Decimal("1e15"):
        s = format(d, "f")
        return s.rstrip("0").rstrip(".") if "." in s else s
    return format(float(d), ".5E").replace("E+0", "E+").replace("E-0", "E-")


def _split_sections(fmt: str) -> list[str]:
    sections, cur, quoted, bracket = [], "", False, False
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "\\" and i + 1 < len(fmt):
            cur += fmt[i:i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "[":
            bracket = True
        elif not quoted and ch == "]":
            bracket = False
        if ch == ";" and not quoted and not bracket:
            sections.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    sections.append(cur)
    return sections


@lru_cache(maxsize=4096)
def _tokens(section: str) -> tuple[tuple[str, str], ...]:
    """('lit', text) | ('ph', placeholder chars) | ('date', code) | ('gen', '') | ('pct', '%')."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(section)
    while i < n:
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = n if j < 0 else j
            out.append(("lit", section[i + 1:j]))
            i = j + 1
        elif ch == "\\" and i + 1 < n:
            out.append(("lit", section[i + 1]))
            i += 2
        elif ch in "_*" and i + 1 < n:
            i += 2                      # padding / fill: no printed character
        elif ch == "[":
            j = section.find("]", i)
            j = n if j < 0 else j
            inner = section[i + 1:j]
            if inner.startswith("$"):
                out.append(("lit", inner[1:].split("-")[0]))
            elif re.fullmatch(r"[hHmMsS]+", inner):
                out.append(("date", "[" + inner.lower() + "]"))
            i = j + 1
        elif section[i:i + 7].lower() == "general":
            out.append(("gen", ""))
            i += 7
        elif ch in "0#?.,":
            out.append(("ph", ch))
            i += 1
        elif ch == "%":
            out.append(("pct", "%"))
            i += 1
        elif ch in "Ee" and i + 1 < n and section[i + 1] in "+-":
            out.append(("exp", section[i:i + 2]))
            i += 2
        elif section[i:i + 5].upper() == "AM/PM":
            out.append(("date", "ampm"))
            i += 5
        elif section[i:i + 5] == "上午/下午":
            out.append(("date", "上午/下午"))
            i += 5
        elif ch.lower() in "ymdhse" and not (ch.lower() == "e" and out and out[-1][0] == "ph"):
            j = i
            while j < n and section[j].lower() == ch.lower():
                j += 1
            out.append(("date", section[i:j].lower()))
            i = j
        elif ch == "@":
            out.append(("text", "@"))
            i += 1
        else:
            out.append(("lit", ch))
            i += 1
    return tuple(out)


def is_date_format(fmt: str) -> bool:
    return any(k == "date" for k, _ in _tokens(_split_sections(fmt)[0]))


@dataclass(frozen=True)
class _Section:
    """A compiled number-format section."""

    kind: str                 # num | gen | sci | date | lit
    toks: tuple
    head: str = ""
    tail: str = ""
    mult: Decimal = Decimal(1)
    quant: Decimal = Decimal(1)
    min_int: int = 0
    max_dec: int = 0
    min_dec: int = 0
    grouping: bool = False
    point: bool = False


def _compile_section(section: str) -> _Section:
    toks = _tokens(section)
    kinds = [k for k, _ in toks]
    if "date" in kinds:
        return _Section("date", toks)
    core = [i for i, k in enumerate(kinds) if k in ("ph", "gen", "exp")]
    if not core:
        return _Section("lit", toks, head="".join(v for k, v in toks if k in ("lit", "pct")).strip())
    head = "".join(v for k, v in toks[:core[0]] if k in ("lit", "pct"))
    tail = "".join(v for k, v in toks[core[-1] + 1:] if k in ("lit", "pct"))
    if "gen" in kinds and "ph" not in kinds:
        return _Section("gen", toks, head, tail)
    if "exp" in kinds:
        return _Section("sci", toks, head, tail)
    if "/" in section.replace("\\/", ""):
        return _Section("gen", toks)          # fractions: not used in budget tables
    placeholders = "".join(v for k, v in toks if k == "ph")
    int_part, point, frac_part = placeholders.partition(".")
    stripped = int_part.rstrip(",")
    scale = len(int_part) - len(stripped)
    max_dec = sum(1 for c in frac_part if c in "0#?")
    required = frac_part[:len(frac_part.rstrip("#"))]
    return _Section("num", toks, head, tail,
                    mult=Decimal(100) ** kinds.count("pct") / Decimal(1000) ** scale,
                    quant=Decimal(1).scaleb(-max_dec), min_int=stripped.count("0"), max_dec=max_dec,
                    min_dec=sum(1 for c in required if c in "0?"), grouping="," in stripped, point=bool(point))


@lru_cache(maxsize=1024)
def _compile(fmt: str) -> tuple[tuple[_Section, ...], bool]:
    sections = _split_sections(fmt)
    conditional = any(re.search(r"\[[<>=]", s) for s in sections)
    return tuple(_compile_section(s) for s in sections), conditional


def format_number(value: float, fmt: str | None) -> str:
    """Render a number as Excel prints it with number format `fmt`."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not fmt or fmt == "General" or fmt == "@" or fmt.lower() == "general":
        return format_general(value)
    sections, conditional = _compile(fmt)
    sec, own_sign = sections[0], False
    if not conditional:
        if value < 0 and len(sections) >= 2 and sections[1].toks:
            sec, own_sign = sections[1], True
        elif value == 0 and len(sections) >= 3 and sections[2].toks:
            sec, own_sign = sections[2], True
    shown = abs(value) if own_sign else value
    if sec.kind == "num":
        return _format_fixed(value, sec, own_sign)
    if sec.kind == "gen":
        return (sec.head + format_general(shown) + sec.tail).strip()
    if sec.kind == "lit":
        return sec.head or format_general(value)
    if sec.kind == "sci":
        return _format_scientific(value, sec.toks, own_sign)
    try:
        from openpyxl.utils.datetime import from_excel

        return format_datetime(from_excel(value), fmt)
    except (ValueError, OverflowError, TypeError):
        return format_general(value)


def _format_fixed(value, sec: _Section, own_sign: bool) -> str:
    d = Decimal(abs(value)) if isinstance(value, int) else Decimal(format(abs(value), ".15g"))
    if sec.mult != 1:
        d *= sec.mult
    q = d.quantize(sec.quant, rounding=ROUND_HALF_UP)
    whole, _, frac = format(q, "f").partition(".")
    if sec.min_dec < sec.max_dec:
        frac = frac.rstrip("0").ljust(sec.min_dec, "0")
    if sec.min_int != 1:
        whole = whole.lstrip("0").rjust(sec.min_int, "0")
    if sec.grouping and len(whole) > 3:
        whole = f"{int(whole):,}"
    number = whole + "." + frac if sec.point else whole
    if value < 0 and not own_sign:
        number = "-" + number
    return (sec.head + number + sec.tail).strip()


def _format_scientific(value: float, toks, own_sign: bool) -> str:
    at = [k for k, _ in toks].index("exp")
    mantissa = "".join(v for k, v in toks[:at] if k == "ph")
    decimals = len(mantissa.partition(".")[2])
    exp_digits = sum(1 for k, _ in toks[at:] if k == "ph")
    mant, _, exp = format(abs(value) if own_sign else value, f".{decimals}E").partition("E")
    sign = "-" if exp.startswith("-") else "+"
    return mant + "E" + sign + exp.lstrip("+-").lstrip("0").rjust(max(1, exp_digits), "0")


def format_datetime(value, fmt: str | None) -> str:
    """Render a date/time the way its format prints it (yyyy-mm-dd when unknown)."""
    if isinstance(value, dt.timedelta):
        secs = int(value.total_seconds())
        return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1900, 1, 1), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    toks = _tokens(_split_sections(fmt or "")[0]) if fmt else ()
    if not any(k == "date" for k, _ in toks):
        if value.time() == dt.time():
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    date_idx = [i for i, (k, _) in enumerate(toks) if k == "date"]
    twelve = any(toks[i][1] in ("ampm", "上午/下午") for i in date_idx)
    out = []
    for pos, (k, v) in enumerate(toks):
        if k in ("lit", "pct"):
            out.append(v)
        elif k != "date":           # "ss.0" fractions and stray placeholders print nothing
            continue
        elif v.startswith(("y", "e")):
            out.append(str(value.year) if len(v) != 2 else f"{value.year % 100:02d}")
        elif v.startswith("m") and len(v) <= 2 and _is_minute(toks, pos, date_idx):
            out.append(f"{value.minute:0{len(v)}d}")
        elif v.startswith("m"):
            out.append({1: str(value.month), 2: f"{value.month:02d}", 3: value.strftime("%b"),
                        5: value.strftime("%b")[0]}.get(len(v), value.strftime("%B")))
        elif v.startswith("d"):
            out.append({1: str(value.day), 2: f"{value.day:02d}", 3: value.strftime("%a")}.get(len(v),
                                                                                            value.strftime("%A")))
        elif v.startswith("h"):
            hour = value.hour % 12 or 12 if twelve else value.hour
            out.append(f"{hour:0{min(len(v), 2)}d}")
        elif v.startswith("s"):
            out.append(f"{value.second:0{min(len(v), 2)}d}")
        elif v == "ampm":
            out.append("AM" if value.hour < 12 else "PM")
        elif v == "上午/下午":
            out.append("上午" if value.hour < 12 else "下午")
        elif v.startswith("["):
            secs = int((value - dt.datetime(1899, 12, 30)).total_seconds())
            out.append(str({"h": secs // 3600, "m": secs // 60, "s": secs}[v[1]]))
    return "".join(out).strip()


def _is_minute(toks, pos: int, date_idx: list[int]) -> bool:
    i = date_idx.index(pos)
    before = toks[date_idx[i - 1]][1] if i > 0 else ""
    after = toks[date_idx[i + 1]][1] if i + 1 < len(date_idx) else ""
    return before.startswith(("h", "[h")) or after.startswith("s")


def cell_text(value, fmt: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_cell(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return format_datetime(value, fmt)
    if isinstance(value, (int, float)):
        try:
            return format_number(value, fmt)
        except (InvalidOperation, ValueError, StopIteration, IndexError):
            return format_general(value)
    return clean_cell(str(value))


# ---------------------------------------------------------------------------
# merged ranges, read from the sheet XML without parsing it

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def read_merges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of every merged range, scanning the
    sheet's bytes in chunks (the <mergeCells> list follows the cell data)."""
    merges = []
    tail = b""
    with archive.open(member) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            cut = buf.rfind(b"<")
            scan, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            for m in _MERGE.finditer(scan):
                c1, r1 = _col_number(m.group(1)), int(m.group(2))
                c2, r2 = (_col_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
                if (r1, c1) != (r2, c2):
                    merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    for m in _MERGE.finditer(tail):
        c1, r1 = _col_number(m.group(1)), int(m.group(2))
        c2, r2 = (_col_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        if (r1, c1) != (r2, c2):
            merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return merges


# ---------------------------------------------------------------------------


def _column_letter(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


EXCEL_MAX_ROWS = 1_048_576


def _sheet_rows(ws, merges, epoch, max_cells: int):
    """GridRows of a read-only sheet, merged-away cells blanked, cells counted."""
    from openpyxl.utils.datetime import from_excel

    merges = sorted(merges)
    active: list[tuple[int, int, int, int]] = []
    blocked: set[int] = set()      # columns covered by an active merge (recomputed when `active` changes)
    nxt = 0
    fmt_cache: dict[int, tuple[str, bool]] = {}
    letters: dict[int, str] = {}
    seen = 0
    ws.reset_dimensions()    # a wrong <dimension> must neither pad rows nor cut them
    for rowno, raw in enumerate(ws.iter_rows(), 1):
        if rowno > EXCEL_MAX_ROWS:
            # a row numbered past Excel's last row: openpyxl would yield every missing row before it
            raise FormatError(f"工作表“{ws.title}”的行号超出 Excel 上限（{EXCEL_MAX_ROWS:,} 行），文件已损坏")
        seen += len(raw)
        if seen > max_cells:
            raise FormatError(f"工作表“{ws.title}”过大（超过 {max_cells:,} 个单元格），已拒绝读取")
        changed = False
        while nxt < len(merges) and merges[nxt][0] <= rowno:
            active.append(merges[nxt])
            nxt += 1
            changed = True
        if active and any(m[2] < rowno for m in active):
            active = [m for m in active if m[2] >= rowno]
            changed = True
        if changed:
            blocked = {col for m in active for col in range(m[1], m[3] + 1)}
        if not raw and not active:
            yield GridRow(rowno, [])
            continue
        cells: list[Cell] = []
        for c in raw:
            value = c.value
            if value is None:
                continue
            col = c.column
            if col in blocked and not any(m[0] == rowno and m[1] == col for m in active):
                continue      # inside a merged range, not its top-left cell
            if type(value) is str:
                text = clean_cell(value)
            else:
                sid = c._style_id
                if sid not in fmt_cache:
                    fmt_id = c.style_array.numFmtId
                    fmt_cache[sid] = (ZH_BUILTIN_FORMATS.get(fmt_id) or c.number_format, fmt_id in ZH_BUILTIN_FORMATS)
                fmt, zh_date = fmt_cache[sid]
                if zh_date and isinstance(value, (int, float)) and not isinstance(value, bool):
                    try:
                        value = from_excel(value, epoch)
                    except (ValueError, OverflowError):
                        pass
                text = cell_text(value, fmt)
            if not text:
                continue
            letter = letters.get(col) or letters.setdefault(col, _column_letter(col))
            cells.append(Cell(text, rowno, col, f"{letter}{rowno}"))
        anchored = [m for m in active if m[0] == rowno]
        span = max((m[3] - m[1] + 1 for m in anchored), default=1)
        covered = any(m[0] < rowno for m in active)
        cols = [c.col for c in cells] + [m[1] for m in anchored] + [m[3] for m in anchored]
        extent = (min(cols), max(cols)) if cols else None
        yield GridRow(rowno, cells, span=span, covered=covered, extent=extent)


def parse_xlsx(file: str, path: str | Path, *, max_cells: int | None = None, max_ratio: float | None = None,
               max_unzipped: int | None = None, include_hidden: bool = False) -> RawDocument:
    """Read every visible sheet. Raises FormatError (a ValueError, Chinese message) for zip bombs
    and sheets over `max_cells` cells; read_document turns that into RawDocument.error."""
    from auditor.ingest.limits import current

    max_cells = min(DEFAULT_MAX_CELLS, current().cells) if max_cells is None else max_cells
    names = guard_zip(path, MAX_ZIP_RATIO if max_ratio is None else max_ratio,
                      MAX_UNZIPPED_BYTES if max_unzipped is None else max_unzipped, "Excel")
    guard_parts(path, "Excel", streamed=("xl/worksheets/",))
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise FormatError("Excel 文件缺少工作簿（xl/workbook.xml），文件可能已损坏")
    try:
        return _read_workbook(file, path, names, max_cells, include_hidden)
    except (FormatError, MemoryError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl reports damage with any exception type
        raise FormatError(f"Excel 文件内容已损坏，无法解析（{type(e).__name__}：{str(e)[:120]}）") from None


def _read_workbook(file: str, path, names: list[str], max_cells: int, include_hidden: bool) -> RawDocument:
    import openpyxl

    doc = RawDocument(file=file, fmt="xlsx")
    # a file object, not the path: openpyxl refuses a real workbook named .xls or .dat by its name
    with warnings.catch_warnings(), open(path, "rb") as handle:
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            with zipfile.ZipFile(path) as archive:
                for ws in wb.worksheets:
                    if not hasattr(ws, "iter_rows"):
                        continue          # chartsheet
                    if ws.sheet_state != "visible" and not include_hidden:
                        continue
                    member = getattr(ws, "_worksheet_path", None)
                    merges = read_merges(archive, member) if member in names else []
                    headings: list[str] = []
                    sheet_title = heading_text(ws.title)
                    if sheet_title or re.search(r"表\s*\d*$", ws.title):
                        headings.append(sheet_title or ws.title.strip())
                    seg = Segmenter(doc, layout="sheet", sheet=ws.title, headings=headings,
                                    cell_ref=lambda col, line: f"{_column_letter(col)}{line}")
                    seg.feed(_sheet_rows(ws, merges, wb.epoch, max_cells))
        finally:
            wb.close()
    return doc
