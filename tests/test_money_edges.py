"""Edges of the money value functions that the mutation run (scripts/mutation.sh) found
untested: exact limits, exact messages, and the guards of the arithmetic helpers."""

import pytest

from filmklynge.errors import InvalidInput
from filmklynge.money import (
    MAX_ORE,
    allocate,
    parse_basis_points,
    parse_nok,
    prorate,
    round_half_up,
)


def test_parse_accepts_the_dash_endings_and_the_minus_sign():
    assert parse_nok("12 500,-") == 1_250_000
    assert parse_nok("12 500,–") == 1_250_000  # en dash, as Word writes it
    assert parse_nok("\u2212100", allow_negative=True) == -10_000  # the typographic minus


def test_parse_limit_is_a_trillion_kroner_inclusive():
    assert parse_nok("1 000 000 000 000") == MAX_ORE == 100 * 10**12
    with pytest.raises(InvalidInput) as e:
        parse_nok("1 000 000 000 000,01", field="turnover")
    assert str(e.value) == (
        "Turnover '1 000 000 000 000,01' is larger than any amount filmklynge keeps "
        "(at most kr 1 000 000 000 000); check the number."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  ", "Empty amount. Write an amount in kroner, like 12 500,50."),
        (
            "12,345",
            "Amount '12,345' is not an amount in kroner. "
            "Write it like 12 500,50 or 12500.50 (at most two decimals).",
        ),
        ("-5", "Amount '-5' is negative; give an amount of 0 or more."),
    ],
)
def test_parse_messages_name_the_field_and_the_fix(text, message):
    with pytest.raises(InvalidInput) as e:
        parse_nok(text)
    assert str(e.value) == message


def test_round_half_up_needs_a_positive_denominator():
    for denominator in (0, -3):
        with pytest.raises(ValueError, match=r"^denominator must be positive$"):
            round_half_up(10, denominator)
    assert round_half_up(0, 7) == 0
    assert round_half_up(-15, 10) == -2  # -1,5 goes away from zero


@pytest.mark.parametrize(("part", "whole"), [(13, 12), (-1, 12), (0, 0), (1, -1)])
def test_prorate_refuses_what_is_not_a_fraction(part, whole):
    with pytest.raises(ValueError, match=f"^part {part} of {whole} is not a fraction"):
        prorate(500, part, whole)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([], "^allocate needs at least one weight$"),
        ([0, 0], "^weights must be non-negative and not all zero$"),
        ([-1, 2], "^weights must be non-negative and not all zero$"),
    ],
)
def test_allocate_refuses_weights_it_cannot_split_by(weights, message):
    with pytest.raises(ValueError, match=message):
        allocate(100, weights)


def test_allocate_zero_and_negative_totals():
    assert allocate(0, [1, 2]) == [0, 0]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


@pytest.mark.parametrize(
    ("text", "per_unit", "expected"),
    [
        ("50", 100, 5000),
        ("50 %", 100, 5000),
        ("50%", 100, 5000),
        ("12,5", 100, 1250),
        ("99.99", 100, 9999),
        ("1.0", 10_000, 10_000),
        ("1 000", 100, 100_000),
    ],
)
def test_basis_points_are_parsed_exactly(text, per_unit, expected):
    assert parse_basis_points(text, field="--share", per_unit=per_unit) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0,005", "--share '0,005' has more decimals than a basis point (0,01 %)."),
        ("abc", "--share 'abc' is not a number."),
        ("Infinity", "--share 'Infinity' has more decimals than a basis point (0,01 %)."),
    ],
)
def test_basis_points_finer_than_one_are_refused_not_rounded(text, message):
    with pytest.raises(InvalidInput) as e:
        parse_basis_points(text, field="--share")
    assert str(e.value) == message


def test_millions_of_nothing_have_no_sign():
    from filmklynge.money import format_millions

    assert format_millions(0) == "0,0"
    assert format_millions(4_999_999) == "0,0"  # 49 999,99 kr: 0,05 million rounds to 0,0
    assert format_millions(-5_000_000) == "-0,1"


def test_basis_points_ignore_only_a_trailing_percent_sign():
    with pytest.raises(InvalidInput, match="is not a number"):
        parse_basis_points("50X", field="--share")


def test_payment_amounts_from_one_ore_to_the_limit():
    from filmklynge.money import MAX_PAYMENT_ORE, check_payment_amount

    assert check_payment_amount(1) == 1
    assert check_payment_amount(MAX_PAYMENT_ORE) == MAX_PAYMENT_ORE
    for ore in (0, -1, MAX_PAYMENT_ORE + 1):
        with pytest.raises(InvalidInput):
            check_payment_amount(ore)


def test_a_negative_member_or_invoice_number_makes_no_kid():
    from filmklynge.kid import make_kid

    for member, invoice in ((-1, 1), (1, -1)):
        with pytest.raises(InvalidInput, match="do not fit in a KID"):
            make_kid(member, invoice, 10)
