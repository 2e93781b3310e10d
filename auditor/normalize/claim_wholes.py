"""A share whose whole is named but stated in an earlier paragraph.

The national 决算 template states 本年支出合计 in one section and, sections later,
“一般公共预算财政拨款支出3280.50万元，占本年支出合计的94.90%”. Within one paragraph the
claims reader binds a share to its whole; this pass looks further back: the amounts
the document stated before, for the same quantity (`quantity_key`, with the year the
sentence names). Only an unambiguous whole is taken — every earlier statement of that
quantity printed the same amount, and it is larger than the part."""
from __future__ import annotations

WHOLE_KEY = "_whole_key"   # set by the claims reader on a share it could not bind


def bind_earlier_wholes(rows: list[dict]) -> None:
    """Rows in document order; a bound share gets base = that amount, base_how 'earlier'."""
    stated: dict[str, list[dict]] = {}
    for row in rows:
        key = row.pop(WHOLE_KEY, None)
        if row.get("kind") == "amount" and row.get("subject_key") and row.get("value") is not None:
            stated.setdefault(row["subject_key"], []).append(row)
            continue
        if key is None or row.get("kind") != "share" or row.get("other") is None:
            continue
        earlier = stated.get(key) or []
        if not earlier or len({r["value"] for r in earlier}) != 1:
            continue
        whole = earlier[0]
        if not whole["value"] > row["other"]:
            continue
        for suffix in ("", "_raw", "_tol", "_loc"):
            row["base" + suffix] = whole.get("value" + suffix)
        row["base_how"] = "earlier"
        # shares bound to one earlier whole from different places are not a sibling list:
        # a group of their own keeps sibling-share rules from adding them up
        row["group_id"] = row.get("group_id") or f"E.{row.get('claim_id')}"
