"""Validators for organisation, account and VAT numbers, contact fields and dates."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filmklynge import identifiers as ids
from filmklynge.dates import norwegian, parse_date
from filmklynge.errors import InvalidInput


@pytest.mark.parametrize("value", ["988077917", "974 760 673", "995.525.828", "923609016"])
def test_valid_orgnr(value):
    assert ids.check_orgnr(value) == value.replace(" ", "").replace(".", "")


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("988077918", "check digit"),
        ("912345678", "check digit"),
        ("98807791", "9 digits"),
        ("9880779170", "9 digits"),
        ("000000000", "check digit"),
        ("701730496", "8 or 9"),  # valid MOD11 but not issued by Brønnøysund
        ("123456785", "8 or 9"),
        ("abcdefghi", "9 digits"),
    ],
)
def test_invalid_orgnr(value, why):
    with pytest.raises(InvalidInput, match=why):
        ids.check_orgnr(value)


@given(st.integers(80_000_000, 99_999_999))
def test_orgnr_checker_agrees_with_the_mod11_rule(body):
    digits = str(body)
    s = sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    r = s % 11
    if r == 1:
        for check in range(10):
            with pytest.raises(InvalidInput):
                ids.check_orgnr(digits + str(check))
        return
    check = 0 if r == 0 else 11 - r
    assert ids.check_orgnr(digits + str(check)) == digits + str(check)
    with pytest.raises(InvalidInput):
        ids.check_orgnr(digits + str((check + 1) % 10))


@pytest.mark.parametrize(
    ("account", "iban"),
    [
        ("86011117947", "NO9386011117947"),
        ("1234 56 78903", "NO7112345678903"),
        ("9999.10.42764", "NO9799991042764"),
    ],
)
def test_accounts_and_iban(account, iban):
    compact = ids.check_account(account)
    assert ids.iban_of(compact) == iban
    assert ids.format_account(compact)[4] == " "


@pytest.mark.parametrize(
    "value", ["86011117949", "15036523456", "12345678910", "1234567890", "00000000000", "0000000"]
)
def test_invalid_accounts(value):
    with pytest.raises(InvalidInput, match="Account number"):
        ids.check_account(value)


def test_vat_numbers():
    assert ids.check_vat_number("988077917MVA") == "NO988077917MVA"
    assert ids.check_vat_number("NO 988 077 917 MVA") == "NO988077917MVA"
    for bad in ("NO988077917", "988077918MVA", "SE556677889901"):
        with pytest.raises(InvalidInput):
            ids.check_vat_number(bad)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("412 34 567", "+4741234567"),
        ("+47 412 34 567", "+4741234567"),
        ("0047 41234567", "+4741234567"),
        ("+46 8 123 456 78", "+46812345678"),
    ],
)
def test_phones(value, stored):
    assert ids.check_phone(value) == stored


@pytest.mark.parametrize("value", ["1234", "+47 1234", "phone", "4123456789"])
def test_bad_phones(value):
    with pytest.raises(InvalidInput, match="Phone"):
        ids.check_phone(value)


def test_email_postal_code_county():
    assert ids.check_email(" Post@Firma.NO ") == "post@firma.no"
    for bad in ("post", "post@firma", "a b@c.no", "a@b@c.no"):
        with pytest.raises(InvalidInput, match="E-mail"):
            ids.check_email(bad)
    assert ids.check_postal_code("9600") == "9600"
    for bad in ("960", "96000", "abcd"):
        with pytest.raises(InvalidInput, match="Postal code"):
            ids.check_postal_code(bad)
    assert ids.check_county("nordland") == "Nordland"
    assert ids.check_county("Møre og Romsdal") == "Møre og Romsdal"
    with pytest.raises(InvalidInput, match="15 counties"):
        ids.check_county("Troms og Finnmark")


def test_dates_in_both_forms():
    assert parse_date("2025-03-14") == date(2025, 3, 14)
    assert parse_date("14.03.2025") == date(2025, 3, 14)
    assert parse_date("1.3.2025") == date(2025, 3, 1)
    assert norwegian("2025-03-07") == "07.03.2025"
    for bad in ("2025-02-30", "31.04.2025", "14/03/2025", "yesterday", "2025-3-1"):
        with pytest.raises(InvalidInput):
            parse_date(bad)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_date_round_trip(d):
    assert parse_date(norwegian(d)) == d
    assert parse_date(d.isoformat()) == d
