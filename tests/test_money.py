"""Money is integer øre: parsing Norwegian input, formatting, exact arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmklynge.errors import InvalidInput
from filmklynge.money import (
    allocate,
    format_nok,
    format_percent,
    parse_nok,
    prorate,
    round_half_up,
    vat_of,
)


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("12 500,50", 1250050),
        ("kr 12500", 1250000),
        ("12500.50", 1250050),
        ("12500,5", 1250050),
        ("kr 12 500,-", 1250000),
        ("NOK 12500", 1250000),
        ("12 500 kr", 1250000),
        ("12.500,50", 1250050),
        ("12,500.50", 1250050),
        ("1 234 567,89", 123456789),
        ("0", 0),
        ("0,01", 1),
        ("12\u00a0500,00", 1250000),
    ],
)
def test_parse_norwegian_amounts(text, ore):
    assert parse_nok(text) == ore


@pytest.mark.parametrize(
    "text", ["", "abc", "12,345", "12.500", "12.5.0", "1,234,5", "12,501", "kr", "1e5", "--5"]
)
def test_parse_rejects_what_is_not_an_amount(text):
    with pytest.raises(InvalidInput):
        parse_nok(text)


def test_parse_rejects_more_than_two_decimals():
    with pytest.raises(InvalidInput, match="at most two decimals"):
        parse_nok("12,345")


def test_negative_refused_unless_allowed():
    with pytest.raises(InvalidInput, match="negative"):
        parse_nok("-100")
    assert parse_nok("-100", allow_negative=True) == -10000


def test_format_examples_from_the_spec():
    assert format_nok(1250000) == "kr 12 500,00"
    assert format_nok(50) == "kr 0,50"
    assert format_nok(0) == "kr 0,00"
    assert format_nok(-1250000) == "kr -12 500,00"
    assert format_nok(123456789) == "kr 1 234 567,89"
    assert format_nok(123456789, nbsp=True) == "kr\u00a01\u00a0234\u00a0567,89"
    assert format_nok(123456789, symbol=False, grouping=False) == "1234567,89"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.booleans(), st.booleans())
def test_format_then_parse_round_trips(ore, grouping, symbol):
    text = format_nok(ore, grouping=grouping, symbol=symbol)
    assert parse_nok(text, allow_negative=True) == ore


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(1, 10**6))
def test_round_half_up_is_within_half(n, d):
    q = round_half_up(n, d)
    assert abs(q * d - n) * 2 <= d
    # exact halves go away from zero
    if (2 * abs(n)) % d == 0 and (abs(n) * 2 // d) % 2 == 1:
        assert abs(q) * d > abs(n)


def test_round_half_up_examples():
    assert round_half_up(5, 10) == 1
    assert round_half_up(-5, 10) == -1
    assert round_half_up(4, 10) == 0
    assert vat_of(300000, 2500) == 75000
    assert vat_of(1, 2500) == 0  # 0,25 øre
    assert vat_of(2, 2500) == 1  # 0,5 øre rounds up


@given(st.integers(0, 10**10), st.integers(1, 12), st.data())
def test_prorate_is_between_zero_and_amount(amount, whole, data):
    part = data.draw(st.integers(0, whole))
    p = prorate(amount, part, whole)
    assert 0 <= p <= amount
    if part == whole:
        assert p == amount
    if part == 0:
        assert p == 0


def test_prorate_seven_twelfths():
    assert prorate(500000, 7, 12) == 291667  # 2916,666.. rounds half-up


@given(st.integers(-(10**12), 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_allocate_adds_up_and_is_fair(total, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = allocate(total, weights)
    assert sum(parts) == total
    wsum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(part * wsum - total * w) < wsum  # within one øre of the exact share


def test_allocate_equal_parts_differ_by_at_most_one():
    parts = allocate(100, [1, 1, 1])
    assert sorted(parts) == [33, 33, 34]


def test_percent_format():
    assert format_percent(2500) == "25 %"
    assert format_percent(1250) == "12,5 %"
