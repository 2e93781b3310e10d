"""The number parser and the interval (rounding tolerance) logic."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.normalize.numbers import intervals_meet, parse_number, parse_operator, quotient_interval


def test_printed_forms():
    assert parse_number("58,149.15").value == 58149.15
    n = parse_number("82.79%")
    assert n.percent and n.value == 82.79 and abs(n.tol - 0.005) < 1e-12
    assert parse_number("０．５").value == 0.5            # full-width digits
    n = parse_number("≥95%")
    assert n.operator == ">=" and n.value == 95
    n = parse_number("≥623万人")
    assert n.value == 623 and n.unit == "万人" and n.operator == ">="
    assert parse_number("不低于上年").value is None
    assert parse_number("全部或基本达成预期指标 100%-80% (含)").value is None
    assert parse_number("2022-12-31").value is None
    assert parse_number("—").value is None and parse_number("").value is None
    assert parse_number("0").tol == 0.0                     # a bare zero is exact: nothing was spent
    assert parse_number("0.0%").tol == 0.05                 # a rounded zero is not
    assert parse_number("1.69").tol == 0.005
    assert parse_number("3000").tol == 0.005                # whole amounts are typed, not rounded
    assert parse_number("83%").tol == 0.5                   # whole percentages are rounded ratios
    assert parse_operator("＞") == ">" and parse_operator("不超过") == "<=" and parse_operator("定性") is None


def test_seed_like_rounding_is_accepted():
    # 1.69 / 2.66 printed as 63.71%: 1.69 was rounded from 1.6948
    lo, hi = quotient_interval(1.69, 0.005, 2.66, 0.005)
    assert lo * 100 <= 63.71 + 0.005 and hi * 100 >= 63.71 - 0.005


@settings(max_examples=300)
@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
       st.integers(min_value=1, max_value=4))
def test_a_rounded_number_interval_contains_the_true_value(true_value, decimals):
    printed = true_value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{printed:,.{decimals}f}"
    n = parse_number(text)
    assert n.value is not None
    assert n.lo - 1e-9 * max(1, abs(n.value)) <= float(true_value) <= n.hi + 1e-9 * max(1, abs(n.value))


@settings(max_examples=300)
@given(st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=4),
       st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=4))
def test_correctly_rounded_rates_always_meet_the_amounts(budget, executed):
    b = budget.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    e = executed.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if b == 0:
        return
    true_rate = float(executed / budget * 100)
    rate = parse_number(f"{Decimal(str(true_rate)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%")
    pb, pe = parse_number(str(b)), parse_number(str(e))
    lo, hi = quotient_interval(pe.value, pe.tol, pb.value, pb.tol)
    assert lo * 100 - 1e-6 <= rate.value + rate.tol and rate.value - rate.tol <= hi * 100 + 1e-6


@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0, max_value=10),
       st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0, max_value=10))
def test_intervals_meet_is_symmetric(a, ta, b, tb):
    assert intervals_meet(a, ta, b, tb) == intervals_meet(b, tb, a, ta)
    assert intervals_meet(a, ta, a, tb)


@given(st.text(max_size=40))
def test_parser_never_raises(text):
    parse_number(text)
    parse_operator(text)
