"""Scanned pages: rendered with pypdfium2, read by `tesseract ... tsv`, their
ruling lines found in the image, so that OCR tables come out in the same shape
as tables of a text layer (the same grid builder reads them)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from auditor.ingest.pdf.errors import PdfReadError
from auditor.ingest.pdf.grid import find_grids
from auditor.ingest.pdf.source import Char, PageData

OCR_DPI = 300
OCR_LANG = "chi_sim"
OCR_PAGE_SECONDS = 120   # one tesseract run


def ocr_available() -> str | None:
    """None when tesseract with chi_sim can run, else why not."""
    exe = shutil.which("tesseract")
    if not exe:
        return "未找到 tesseract"
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        return f"tesseract 无法运行（{type(e).__name__}）"
    if OCR_LANG not in (langs.stdout + langs.stderr).split():
        return f"tesseract 缺少语言包 {OCR_LANG}"
    return None


def _ruling_edges(gray, scale: float) -> tuple[list[dict], list[dict]]:
    """Long dark runs in a page image -> vertical and horizontal edges, in PDF points."""
    import numpy as np

    dark = np.asarray(gray) < 140
    h_px, w_px = dark.shape

    def runs(mask, min_len: int) -> list[tuple[int, int, int]]:
        found = []
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = mask
        diff = np.diff(padded, axis=1)
        for y in np.nonzero(mask.sum(axis=1) >= min_len)[0]:
            starts = np.nonzero(diff[y] == 1)[0]
            ends = np.nonzero(diff[y] == -1)[0]
            for s, e in zip(starts, ends):
                if e - s >= min_len:
                    found.append((int(y), int(s), int(e)))
        return found

    def merge(segs: list[tuple[int, int, int]]) -> list[tuple[float, int, int]]:
        """Runs on adjacent pixel rows (a thick line) -> one line at their middle."""
        out: list[list] = []
        for y, s, e in sorted(segs):
            for m in reversed(out):
                if y - m[3] > 2:
                    m = None
                    break
                if abs(s - m[1]) <= 6 and abs(e - m[2]) <= 6:
                    break
            else:
                m = None
            if m is None:
                out.append([y, s, e, y])
            else:
                m[3] = y
                m[1], m[2] = min(m[1], s), max(m[2], e)
        return [((m[0] + m[3]) / 2, m[1], m[2]) for m in out]

    h_min = max(40, w_px // 12)
    v_min = max(30, int(h_px * 0.012))
    horizontal = merge(runs(dark, h_min))
    vertical = merge(runs(dark.T, v_min))
    hs = [{"object_type": "line", "x0": s / scale, "x1": e / scale, "top": y / scale, "bottom": y / scale,
           "width": (e - s) / scale, "height": 0} for y, s, e in horizontal]
    vs = [{"object_type": "line", "x0": x / scale, "x1": x / scale, "top": s / scale, "bottom": e / scale,
           "width": 0, "height": (e - s) / scale} for x, s, e in vertical]
    return vs, hs


def _tesseract(images: list, psm: int, deadline: float, tmp: Path) -> list[list[dict]]:
    """Run tesseract once over several images; for each, its words in pixels."""
    paths = []
    for k, im in enumerate(images):
        path = tmp / f"i{k}.png"
        im.save(path)
        paths.append(str(path))
    listing = tmp / f"list{psm}.txt"
    listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
    timeout = max(5.0, min(OCR_PAGE_SECONDS, deadline - time.monotonic()))
    proc = subprocess.run(["tesseract", str(listing), "stdout", "-l", OCR_LANG, "--psm", str(psm), "tsv"],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise PdfReadError(f"OCR 失败（tesseract 退出码 {proc.returncode}：{proc.stderr.strip()[-120:]}）")
    out: list[list[dict]] = [[] for _ in images]
    for row in proc.stdout.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        try:
            k = int(parts[1]) - 1
            left, top, width, height = (int(v) for v in parts[6:10])
            if float(parts[10]) < 0 or not 0 <= k < len(images):
                continue
        except ValueError:
            continue
        out[k].append({"text": parts[11].strip(), "left": left, "top": top, "width": width, "height": height,
                       "line": (k, parts[2], parts[3], parts[4])})
    return out


def ocr_page(path: str, index: int, deadline: float, base: PageData) -> PageData:
    """Render one page and read it with tesseract: the ruling lines found in the
    image give the tables, each cell is read on its own (lines painted out), the
    rest of the page as a whole. Returns the page with word boxes as characters
    (in PDF points) and the rulings."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    scale = OCR_DPI / 72
    doc = pdfium.PdfDocument(path)
    try:
        image = doc[index].render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    vs, hs = _ruling_edges(image, scale)
    page = PageData(base.no, base.width, base.height, ocr=True)
    page.vsegs = [((e["x0"] + e["x1"]) / 2, e["top"], e["bottom"]) for e in vs]
    page.hsegs = [((e["top"] + e["bottom"]) / 2, e["x0"], e["x1"]) for e in hs]
    grids = find_grids(page)
    clean = image.copy()
    draw = ImageDraw.Draw(clean)
    for e in vs + hs:
        draw.rectangle([e["x0"] * scale - 3, e["top"] * scale - 3, e["x1"] * scale + 3, e["bottom"] * scale + 3],
                       fill=255)
    crops, origins = [], []
    for g in grids:
        for cell in g.cells:
            box = (int(cell.x0 * scale) + 2, int(cell.top * scale) + 2, int(cell.x1 * scale) - 2,
                   int(cell.bottom * scale) - 2)
            if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                continue
            crop = clean.crop(box)
            if crop.getextrema()[0] > 140:          # nothing dark: an empty cell
                continue
            padded = Image.new("L", (crop.width + 40, crop.height + 40), 255)
            padded.paste(crop, (20, 20))
            crops.append(padded)
            origins.append((box[0] - 20, box[1] - 20))
    rest = clean.copy()
    draw = ImageDraw.Draw(rest)
    for g in grids:
        x0, top, x1, bottom = g.bbox
        draw.rectangle([x0 * scale, top * scale, x1 * scale, bottom * scale], fill=255)
    with tempfile.TemporaryDirectory(prefix="auditor-ocr-") as tmp:
        found = _tesseract([rest], 3, deadline, Path(tmp))
        if crops:
            found += _tesseract(crops, 6, deadline, Path(tmp))
    for k, ws in enumerate(found):
        ox, oy = (0, 0) if k == 0 else origins[k - 1]
        for w in ws:
            x0, top = (ox + w["left"]) / scale, (oy + w["top"]) / scale
            h = w["height"] / scale
            page.chars.append(Char(w["text"], x0, x0 + w["width"] / scale, top, top + h, h, tl=(k,) + w["line"]))
    return page
