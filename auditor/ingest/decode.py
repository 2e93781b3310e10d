"""Bytes -> text, detecting the encoding from the content (BOM, UTF-8, GB18030,
UTF-16), never from the file name."""
from __future__ import annotations

import codecs


class NotText(ValueError):
    pass


_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises NotText for binary content."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                # the BOM says which text encoding; damaged bytes after it (a UTF-16 file cut at an
                # odd length, a stray byte) are replaced rather than failing the whole file
                return data.decode(enc, errors="replace"), enc
    enc16 = _looks_utf16(data)
    if enc16:
        return data.decode(enc16, errors="replace"), enc16
    if b"\x00" in data[:65536]:
        raise NotText("二进制文件（含 NUL 字节），不是文本、Excel 或 Word 文档")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        enc = "gb18030"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:1_000_000]).best()
        if best is None:
            raise NotText("无法识别文本编码，可能是二进制文件") from None
        enc = best.encoding
        text = data.decode(enc, errors="replace")
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > 0.05 * max(1, min(len(text), 20000)):
        raise NotText("内容大多为控制字符，不是文本文档")
    return text, enc
