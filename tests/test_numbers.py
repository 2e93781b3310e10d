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


# ------------------------------------------------------------------ issue 18: accounting forms, invisible marks

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad", "\u202a", "\u2066"]


def test_accounting_forms():
    assert parse_number("(100.00)").value == -100 and parse_number("(100.00)").tol == 0.005
    assert parse_number("（1,234.56）").value == -1234.56                 # full-width parentheses
    assert parse_number("(5.00%)").value == -5 and parse_number("(5.00%)").percent
    assert parse_number("\u2212100.00").value == -100                     # U+2212 minus
    assert parse_number("1\u200b000.00").value == 1000                    # zero-width space
    assert parse_number("\u200f1,000.00").value == 1000                   # RLM
    assert parse_number("(10)分").value is None                           # not a whole-cell amount
    assert parse_number("1.5e3").value == 1500 and parse_number("2E-2").value == 0.02


def test_numbers_no_float_holds_are_malformed_not_text():
    for text in ("1e309", "-1e309", "1" * 400, "9" * 310 + ".00", "1e999999"):
        n = parse_number(text)
        assert n.value is None and n.malformed, text
    assert not parse_number("不低于上年").malformed and not parse_number("2022-12-31").malformed


_amounts = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=300)
@given(_amounts, st.sampled_from(["{:,.2f}", "{:.2f}", "{:,.0f}"]))
def test_parenthesized_amounts_are_the_negative_of_the_amount(amount, form):
    text = form.format(amount)
    plain, paren = parse_number(text), parse_number(f"({text})")
    assert paren.value == -plain.value and paren.tol == plain.tol and paren.decimals == plain.decimals
    assert parse_number("\u2212" + text).value == -plain.value


@settings(max_examples=300)
@given(_amounts, st.lists(st.tuples(st.integers(min_value=0, max_value=40), st.sampled_from(INVISIBLE)),
                          min_size=1, max_size=4))
def test_invisible_marks_inside_digits_change_nothing(amount, marks):
    text = f"{amount:,.2f}"
    marked = text
    for pos, mark in marks:
        pos = pos % (len(marked) + 1)
        marked = marked[:pos] + mark + marked[pos:]
    a, b = parse_number(text), parse_number(marked)
    assert (b.value, b.tol, b.decimals, b.percent) == (a.value, a.tol, a.decimals, a.percent)


@settings(max_examples=200)
@given(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False),
       st.integers(min_value=310, max_value=10**6))
def test_anything_printed_as_a_number_is_a_value_or_malformed(x, exponent):
    n = parse_number(repr(x))
    assert n.value is not None and abs(n.value - x) <= max(n.tol, 1e-9 * abs(x))
    huge = parse_number(f"{max(abs(x), 1.0):.3f}e{exponent}")
    assert huge.value is None and huge.malformed
