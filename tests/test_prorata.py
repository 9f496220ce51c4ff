"""Periods and pro rata: whole months from the month of joining, half-up to whole øre."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmklynge.errors import InvalidInput
from filmklynge.ledger.invoicing import (
    PERIODS,
    months_billable,
    parse_period_key,
    period_bounds,
)
from filmklynge.money import prorate


def test_period_bounds():
    assert period_bounds(2026, "year") == (date(2026, 1, 1), date(2026, 12, 31), "2026")
    assert period_bounds(2026, "h2") == (date(2026, 7, 1), date(2026, 12, 31), "2026-H2")
    assert period_bounds(2024, "q1") == (date(2024, 1, 1), date(2024, 3, 31), "2024-Q1")
    assert period_bounds(2026, "Q4")[1] == date(2026, 12, 31)
    with pytest.raises(InvalidInput, match="Unknown period"):
        period_bounds(2026, "h3")
    assert parse_period_key("2026-h1") == (2026, "h1")
    with pytest.raises(InvalidInput):
        parse_period_key("H1-2026")


@pytest.mark.parametrize(
    ("joined", "period", "expected"),
    [
        (date(2026, 1, 1), "year", (12, 12)),
        (date(2025, 5, 3), "year", (8, 12)),
        (date(2026, 6, 15), "year", (7, 12)),
        (date(2026, 12, 31), "year", (1, 12)),
        (date(2026, 1, 31), "year", (12, 12)),
        (date(2026, 8, 1), "h2", (5, 6)),
        (date(2026, 8, 1), "h1", (0, 6)),
        (date(2024, 2, 29), "q1", (2, 3)),
        (date(2026, 3, 31), "q1", (1, 3)),
    ],
)
def test_months_billable(joined, period, expected):
    start, end, _ = period_bounds(joined.year, period)
    assert months_billable(joined, start, end) == expected


def test_seven_twelfths_in_ore():
    assert prorate(500_000, 7, 12) == 291_667  # 2 916,666... rounds half-up
    assert prorate(300_000, 7, 12) == 175_000
    assert prorate(1, 6, 12) == 1  # 0,5 øre rounds up


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(sorted(PERIODS)),
    st.integers(0, 10**9),
)
def test_prorated_fee_is_between_zero_and_the_period_fee(joined, period, yearly):
    start, end, _ = period_bounds(joined.year, period)
    months, of = months_billable(joined, start, end)
    assert 0 <= months <= of
    assert of == (end.month - start.month + 1)
    full = prorate(yearly, of, 12)
    part = prorate(yearly, months, 12)
    assert 0 <= part <= full
    if joined <= start:
        assert months == of
    if joined > end:
        assert months == 0
    if start < joined <= end:
        # one more month would be billed had they joined a month earlier
        assert months == end.month - joined.month + 1


@given(st.integers(2000, 2099), st.integers(0, 10**9))
def test_full_year_is_the_exact_fee_and_halves_add_up(year, yearly):
    assert prorate(yearly, 12, 12) == yearly
    h1, h2 = prorate(yearly, 6, 12), prorate(yearly, 6, 12)
    assert abs(h1 + h2 - yearly) <= 1


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30)))
def test_joining_later_never_costs_more(joined):
    start, end, _ = period_bounds(joined.year, "year")
    later = joined + timedelta(days=1)
    if later.year == joined.year:
        assert months_billable(later, start, end)[0] <= months_billable(joined, start, end)[0]
