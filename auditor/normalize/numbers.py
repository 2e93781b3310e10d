"""Moved to auditor.model.numbers (the printed-number type lives next to the
canonical model); kept so that older imports still work."""
from auditor.model.numbers import (INTEGER_TOL, Number, clean, intervals_meet, operators, parse_number,  # noqa: F401
                                   parse_operator, quotient_interval, split_operator)

__all__ = ["INTEGER_TOL", "Number", "clean", "intervals_meet", "operators", "parse_number", "parse_operator",
           "quotient_interval", "split_operator"]
