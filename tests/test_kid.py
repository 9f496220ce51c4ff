"""KID generation and validation, against the spec's test vectors (§1.6)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmklynge import kid
from filmklynge.errors import InvalidInput

MOD10_VECTORS = [
    ("12345678", "123456782"),
    ("1234567", "12345674"),
    ("0000531", "00005314"),
    ("60224", "602243"),
    ("00013370050164", "000133700501645"),
    ("000100002025001", "0001000020250014"),
    ("1", "18"),
    ("123456789012345678901234", "1234567890123456789012340"),
    ("99999999", "999999998"),
]
MOD11_VECTORS = [
    ("12345678", "123456785"),
    ("1234567", "12345674"),
    ("123", "1236"),
    ("0000000", "00000000"),
    ("1000005", "1000005-"),
    ("10003", "10003-"),
    ("1000013", "10000130"),
    ("000100002025001", "0001000020250015"),
    ("12345678901234567890123", "123456789012345678901239"),
    ("99999999", "999999999"),
]


@pytest.mark.parametrize(("payload", "expected"), MOD10_VECTORS)
def test_mod10_vectors(payload, expected):
    assert payload + kid.mod10(payload) == expected


@pytest.mark.parametrize(("payload", "expected"), MOD11_VECTORS)
def test_mod11_vectors(payload, expected):
    assert payload + kid.mod11(payload) == expected


def test_luhn_fixed_example():
    assert kid.mod10("7992739871") == "3"


@pytest.mark.parametrize(
    ("value", "algo", "valid"),
    [
        ("123456782", "MOD10", True),
        ("123456783", "MOD10", False),
        ("12345674", "MOD10", True),
        ("18", "MOD10", True),
        ("1", "MOD10", False),
        ("00005313", "MOD10", False),
        ("12345674-", "MOD10", False),
        ("12 345674", "MOD10", False),
        ("1234567890123456789012345x", "MOD10", False),
        ("12345678901234567890123456", "MOD10", False),
        ("123456785", "MOD11", True),
        ("123456784", "MOD11", False),
        ("1000005-", "MOD11", True),
        ("10000050", "MOD11", False),
        ("100030", "MOD11", False),
        ("100030", "MOD10", False),
        ("１２３４５６７４", "MOD10", False),
    ],
)
def test_validation_table(value, algo, valid):
    assert kid.is_valid(value, algo) is valid


@given(st.integers(0, 9999), st.integers(0, 99999), st.integers(10, 25))
def test_generated_kids_validate_and_have_fixed_length(member, invoice, length):
    value = kid.make_kid(member, invoice, length)
    assert len(value) == length
    assert kid.is_valid(value, "MOD10", min_length=4)


@given(st.integers(0, 9999), st.integers(0, 99999), st.integers(0, 9), st.data())
def test_any_single_digit_substitution_fails(member, invoice, digit, data):
    value = kid.make_kid(member, invoice, 10)
    pos = data.draw(st.integers(0, len(value) - 1))
    if value[pos] == str(digit):
        return
    changed = value[:pos] + str(digit) + value[pos + 1 :]
    assert not kid.is_valid(changed, "MOD10")


@given(st.integers(0, 9999), st.integers(0, 99999), st.integers(0, 9999), st.integers(0, 99999))
def test_different_invoices_never_share_a_kid(m1, i1, m2, i2):
    if i1 != i2:
        assert kid.make_kid(m1, i1, 10) != kid.make_kid(m2, i2, 10)


@pytest.mark.parametrize("length", [3, 26, 0, -1])
def test_kid_length_outside_4_to_25_is_refused(length):
    with pytest.raises(InvalidInput, match="outside 4–25"):
        kid.make_kid(1, 1, length)


def test_numbers_that_do_not_fit_are_refused():
    with pytest.raises(InvalidInput, match="do not fit"):
        kid.make_kid(12345, 1, 10)  # 4 member digits at length 10
    with pytest.raises(InvalidInput, match="do not fit"):
        kid.make_kid(1, 123456, 10)  # 5 invoice digits at length 10
