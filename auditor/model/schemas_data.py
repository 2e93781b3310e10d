"""What the canonical schemas require beyond dtypes, as plain data (read by the pandera
schemas of auditor.model.schemas and by the quick check of auditor.model.quick)."""

# value ranges that no correctly read document can break
RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "funds": {"budget": (0, None), "executed": (0, None), "initial_budget": (0, None), "rate": (0, 100000),
              "weight": (0, 1000), "score": (0, 1000)},
    "indicators": {"weight": (0, 1000), "score": (0, 1000), "completion": (0, 100000)},
    "scores": {"subtotal": (0, 1000), "exec_score": (0, 1000), "deduction": (0, 1000), "total": (0, 1000),
               "exec_weight": (0, 1000), "weight_total": (0, 1000)},
    "sections": {"declared": (0, 1000)},
}
KEYS = {"documents": ["doc_id", "file"], "tables": ["doc_id", "table_id", "kind"]}
