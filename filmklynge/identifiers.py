"""Validation of the identifiers and contact fields a member register holds.

Each ``check_*`` returns the value in its stored form or raises ``InvalidInput`` with a
one-line message that says what is wrong and what a valid value looks like.
"""

from __future__ import annotations

import re

from filmklynge.errors import InvalidInput

COUNTIES = (
    "Agder",
    "Akershus",
    "Buskerud",
    "Finnmark",
    "Innlandet",
    "Møre og Romsdal",
    "Nordland",
    "Oslo",
    "Rogaland",
    "Telemark",
    "Troms",
    "Trøndelag",
    "Vestfold",
    "Vestland",
    "Østfold",
)

LEGAL_FORMS = (
    "ENK",
    "AS",
    "ASA",
    "ANS",
    "DA",
    "SA",
    "NUF",
    "stiftelse",
    "forening",
    "kommunal",
    "foreign",
)

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}$")

# Characters that make a terminal do something instead of showing a character: C0 controls
# (tab and newline excepted), DEL, the C1 controls (0x9B starts an escape sequence on some
# terminals) and Unicode's bidirectional embeddings, overrides and isolates, which reorder
# what is shown ("Trojan Source"). Refused in names and text on input; escaped on output.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "backspace",
    "\t": "a tab",
    "\n": "a line break",
    "\x1b": "ESC",
    "\r": "a carriage return",
}
MAX_TEXT = 1000  # characters in a name or a one-line field
MAX_NOTES = 10_000  # characters in a free-text note


def describe_char(char: str) -> str:
    """'ESC (U+001B)', 'RIGHT-TO-LEFT OVERRIDE (U+202E)': a character named for a message."""
    import unicodedata

    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "a control character")
    return f"{name} (U+{ord(char):04X})"


def check_text(
    value: str, field: str, *, multiline: bool = False, max_length: int = MAX_TEXT
) -> str:
    """A name or text field as typed, refused if it holds a control character or a
    bidirectional override (they would act on the terminal of whoever lists it later), a line
    break where one line is expected, or more than ``max_length`` characters."""
    text = str(value)
    bad = UNSAFE_TEXT.search(text)
    if bad:
        raise InvalidInput(
            f"{field.capitalize()} holds {describe_char(bad.group())}, which would act on a "
            "terminal instead of being shown; type it without control characters."
        )
    bad = None if multiline else re.search("[\n\t]", text)
    if bad:
        raise InvalidInput(
            f"{field.capitalize()} holds {describe_char(bad.group())}; it is one line of text."
        )
    if len(text) > max_length:
        raise InvalidInput(
            f"{field.capitalize()} has {len(text)} characters; at most {max_length} are kept. "
            "Shorten it."
        )
    return text


def check_orgnr(value: str) -> str:
    """A Norwegian organisation number: 9 digits, MOD11 valid, first digit 8 or 9."""
    from stdnum.no import orgnr

    compact = re.sub(r"[\s.\-]", "", str(value)).removeprefix("NO").removesuffix("MVA")
    if not compact.isascii() or not compact.isdigit() or len(compact) != 9:
        raise InvalidInput(f"Organisation number {value!r} must have 9 digits, like 988 077 917.")
    if not orgnr.is_valid(compact) or compact == "000000000":
        raise InvalidInput(
            f"Organisation number {value!r} has a wrong check digit. Copy it from brreg.no."
        )
    if compact[0] not in "89":
        raise InvalidInput(
            f"Organisation number {value!r} does not start with 8 or 9, as every number "
            "Brønnøysundregistrene issues does. Check it against brreg.no."
        )
    return compact


def format_orgnr(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 9 else value


def check_account(value: str) -> str:
    """An 11-digit Norwegian bank account number (kontonummer) with a valid MOD11 digit."""
    from stdnum.no import kontonr

    compact = re.sub(r"[\s.]", "", str(value))
    if not compact.isascii() or not compact.isdigit() or len(compact) != 11:
        raise InvalidInput(f"Account number {value!r} must have 11 digits, like 8601 11 17947.")
    if compact == "0" * 11 or not kontonr.is_valid(compact):
        raise InvalidInput(
            f"Account number {value!r} has a wrong check digit. Copy it from your bank."
        )
    return compact


def format_account(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:4]} {value[4:6]} {value[6:]}" if len(value) == 11 else value


def iban_of(account: str) -> str:
    from stdnum.no import kontonr

    return kontonr.to_iban(account).replace(" ", "")


def format_iban(iban: str | None) -> str:
    if not iban:
        return ""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def check_iban(value: str) -> str:
    from stdnum import iban

    compact = re.sub(r"\s", "", str(value)).upper()
    if not iban.is_valid(compact):
        raise InvalidInput(f"IBAN {value!r} is not valid; check it with your bank.")
    return compact


def check_bic(value: str) -> str:
    compact = re.sub(r"\s", "", str(value)).upper()
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", compact):
        raise InvalidInput(f"BIC {value!r} is not valid; it has 8 or 11 characters, like DNBANOKK.")
    return compact


def check_vat_number(value: str) -> str:
    """A Norwegian VAT number, stored in the Peppol form ``NO#########MVA``."""
    compact = re.sub(r"[\s.]", "", str(value)).upper()
    m = re.fullmatch(r"(?:NO)?(\d{9})MVA", compact)
    if not m:
        raise InvalidInput(
            f"VAT number {value!r} must look like NO988077917MVA (NO, organisation number, MVA)."
        )
    return f"NO{check_orgnr(m.group(1))}MVA"


def check_foreign_vat_id(value: str, country: str) -> str:
    compact = re.sub(r"[\s.\-]", "", str(value)).upper()
    if not re.fullmatch(r"[A-Z0-9]{4,16}", compact):
        raise InvalidInput(
            f"VAT id {value!r} must be 4–16 letters and digits, like SE556677889901."
        )
    return compact


# Country names for documents and listings, in Norwegian and English: the one table.
COUNTRIES: dict[str, tuple[str, str]] = {
    "NO": ("Norge", "Norway"),
    "SE": ("Sverige", "Sweden"),
    "DK": ("Danmark", "Denmark"),
    "FI": ("Finland", "Finland"),
    "IS": ("Island", "Iceland"),
    "DE": ("Tyskland", "Germany"),
    "GB": ("Storbritannia", "United Kingdom"),
    "NL": ("Nederland", "Netherlands"),
    "FR": ("Frankrike", "France"),
    "EE": ("Estland", "Estonia"),
    "LV": ("Latvia", "Latvia"),
    "LT": ("Litauen", "Lithuania"),
    "PL": ("Polen", "Poland"),
    "RU": ("Russland", "Russia"),
}


def country_name(code: str, lang: str = "en") -> str:
    """The country's name in ``lang`` (nb or en); an unlisted code is shown as itself."""
    names = COUNTRIES.get(code.upper())
    return names[0 if lang == "nb" else 1] if names else code


def check_country(value: str) -> str:
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise InvalidInput(f"Country {value!r} must be a two-letter ISO code, like NO, SE or FI.")
    return code


def check_email(value: str) -> str:
    email = str(value).strip()
    if not _EMAIL.match(email):
        raise InvalidInput(f"E-mail {value!r} is not an e-mail address, like post@firma.no.")
    return email.lower()


def check_phone(value: str) -> str:
    """Norwegian 8-digit numbers (stored as +47XXXXXXXX) or international numbers with +."""
    raw = str(value).strip()
    compact = re.sub(r"[\s\-().]", "", raw)
    if compact.startswith("0047"):
        compact = "+" + compact[2:]
    if re.fullmatch(r"\d{8}", compact):
        compact = "+47" + compact
    if compact.startswith("+47") and re.fullmatch(r"\+47\d{8}", compact):
        return compact
    if re.fullmatch(r"\+(?!47)\d{7,15}", compact):
        return compact
    raise InvalidInput(
        f"Phone {value!r} is not a phone number. Write 8 digits (Norway) or +country number."
    )


def check_postal_code(value: str, country: str = "NO") -> str:
    code = str(value).strip()
    if country == "NO":
        if not re.fullmatch(r"\d{4}", code):
            raise InvalidInput(f"Postal code {value!r} must have 4 digits, like 9600.")
        return code
    if not re.fullmatch(r"[A-Za-z0-9 \-]{2,10}", code):
        raise InvalidInput(f"Postal code {value!r} is not a postal code.")
    return code


def check_county(value: str) -> str:
    wanted = str(value).strip().casefold()
    for county in COUNTIES:
        if county.casefold() == wanted:
            return county
    raise InvalidInput(
        f"County {value!r} is not one of Norway's 15 counties: {', '.join(COUNTIES)}."
    )


def check_legal_form(value: str) -> str:
    wanted = str(value).strip().casefold()
    for form in LEGAL_FORMS:
        if form.casefold() == wanted:
            return form
    raise InvalidInput(f"Legal form {value!r} is not one of: {', '.join(LEGAL_FORMS)}.")


def check_website(value: str) -> str:
    url = str(value).strip()
    if not re.fullmatch(r"(https?://)?[\w\-]+(\.[\w\-]+)+(/\S*)?", url):
        raise InvalidInput(f"Website {value!r} is not a web address, like https://firma.no.")
    return url if url.startswith("http") else "https://" + url
