"""Problems with a PDF file, worded for the user (Chinese)."""
from __future__ import annotations

ERR_SCANNED = "PDF 没有文字层（扫描件），请使用 --ocr 或提供文字版"
ERR_ENCRYPTED = "PDF 已加密（设有打开密码），无法读取；请提供未加密的文件"
ERR_TRUNCATED = "PDF 文件不完整（缺少文件结尾 %%EOF，可能在下载或复制时被截断）"
ERR_NO_OCR = ("PDF 没有文字层（扫描件），已要求 OCR，但未安装 tesseract 或其中文语言包 chi_sim"
              "（apt-get install tesseract-ocr tesseract-ocr-chi-sim），请安装后重试或提供文字版")
ERR_NO_READER = "读取 PDF 需要 pypdfium2 或 pdfplumber：pip install pypdfium2"


class PdfReadError(Exception):
    """A problem with the file, worded for the user (Chinese)."""


def describe(e: BaseException) -> str:
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
    name = type(inner).__name__
    text = str(inner)
    if "Password" in name or "Encrypt" in name or "password" in text.lower():
        return ERR_ENCRYPTED
    detail = text.strip()[:120]
    return f"PDF 文件已损坏，无法解析（{name}{'：' + detail if detail else ''}）"
