"""Structure-aware mutation of Office files (a zip of XML parts) for fuzz_xlsx/fuzz_docx:
most mutations open the zip, change one member (libFuzzer's byte mutation, or an XML-aware
edit: an element dropped, duplicated, an attribute value or a text node replaced) and write
the zip again with valid CRCs, so the mutation reaches the XML parsers and the readers
instead of stopping at the zip checksum; the rest mutate the raw bytes."""
from __future__ import annotations

import io
import os
import random
import re
import zipfile

from common import HUGE, SPECIAL

_ELEMENT = re.compile(rb"<(\w+:)?(\w+)\b[^>]*?(/>|>.*?</\1?\2>)", re.S)
_ATTR = re.compile(rb'(\w+(?::\w+)?)="([^"]*)"')
_TEXT = re.compile(rb">([^<]{1,200})<")
ATTR_VALUES = [b"", b"0", b"-1", b"99999999", b"A1:XFD1048576", b"ZZZ0", b"1:0", b"1e308", b"NaN", b"true",
               b"../../etc/passwd", b"\xe5\x90\x88\xe8\xae\xa1", b"s", b"n", b"str", b"inlineStr", b"e", b"b", b"d",
               b"2147483648", b"4294967296", b"1.5", b"-", b"A", b"C7:A1", b"B2:B2"]


def _xml_edit(body: bytes, rng: random.Random) -> bytes:
    op = rng.randrange(6)
    if op in (0, 1):
        ms = list(_ELEMENT.finditer(body[:200000]))
        if ms:
            m = rng.choice(ms)
            if op == 0:
                return body[:m.start()] + body[m.end():]
            return body[:m.end()] + m.group(0) + body[m.end():]
    elif op in (2, 3):
        ms = list(_ATTR.finditer(body[:200000]))
        if ms:
            m = rng.choice(ms)
            return body[:m.start(2)] + rng.choice(ATTR_VALUES) + body[m.end(2):]
    elif op == 4:
        ms = list(_TEXT.finditer(body[:200000]))
        if ms:
            m = rng.choice(ms)
            new = rng.choice(HUGE + SPECIAL + ["=SUM(A1)", "<", "&amp;", "合计"]).encode("utf-8")
            return body[:m.start(1)] + new + body[m.end(1):]
    cut = rng.randrange(len(body) + 1)
    return body[:cut]


def office_mutator(data: bytes, max_size: int, seed: int) -> bytes:
    import atheris

    rng = random.Random(seed)
    if rng.random() < 0.15:
        return atheris.Mutate(data, max_size)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [(i, z.read(i.filename)) for i in z.infolist()]
    except Exception:  # noqa: BLE001 - not a zip any more: byte mutation
        return atheris.Mutate(data, max_size)
    if not members:
        return atheris.Mutate(data, max_size)
    xmlish = [k for k, (i, _) in enumerate(members) if i.filename.endswith((".xml", ".rels"))]
    k = rng.choice(xmlish or range(len(members)))
    info, body = members[k]
    r = rng.random()
    if r < 0.5:
        body = _xml_edit(body, rng)
    elif r < 0.9:
        body = atheris.Mutate(body, max(len(body) * 2, 64))
    elif r < 0.95 and len(members) > 1:
        del members[k]
        body = None
    else:
        other = rng.choice(members)[0]
        members.append((zipfile.ZipInfo(other.filename), members[rng.randrange(len(members))][1]))
    if body is not None:
        members[k] = (info, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i, b in members:
            z.writestr(i.filename, b)
    result = out.getvalue()
    return result if len(result) <= max_size else atheris.Mutate(data, max_size)


def scratch_path(suffix: str) -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
    return os.path.join(base, f"auditor-fuzz-{os.getpid()}{suffix}")


def run_office_harness(kind: str, seeds, instrument: tuple[str, ...]) -> None:
    """The shared body of fuzz_docx.py and fuzz_xlsx.py: write the mutated bytes as a file,
    keep only what read_document would hand to the `kind` reader, require RawDocument or
    FormatError (a FormatError hiding an exception of auditor's own code is Masked), then
    run the normalizers on the tables read."""
    import importlib
    from pathlib import Path

    from common import Expected, Masked, downstream, main, masked_origin

    path = scratch_path("." + kind)
    reader: dict = {}

    def _import() -> None:
        module = importlib.import_module(f"auditor.ingest.{kind}")
        reader.update(parse=getattr(module, f"parse_{kind}"), error=module.FormatError)
        from auditor.ingest import _sniff
        reader["sniff"] = _sniff
        for name in ("selfeval", "claims", "ledger", "targets", "basic_data"):
            importlib.import_module(f"auditor.normalize.{name}")
        importlib.import_module("auditor.model.tables")

    def body(data: bytes) -> None:
        Path(path).write_bytes(data)
        if reader["sniff"](Path(path), data[:8]) != kind:
            raise Expected          # read_document would not hand this file to this reader
        try:
            doc = reader["parse"](f"fuzz.{kind}", path)
        except reader["error"] as e:
            inner = masked_origin(e)
            if inner is not None:
                raise Masked(f"{type(inner).__name__}: {inner}") from inner
            raise Expected from None
        downstream(doc)

    main(kind, body, [p.read_bytes() for p in seeds], custom_mutator=office_mutator,
         instrument=instrument, max_len=262144, pre_import=_import)
