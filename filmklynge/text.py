"""Names as Norwegians type them: a search key that folds case and accents, and Norwegian
alphabetical order.

``fold`` is the key lookups compare: "tromso", "tromsoe" and "TROMSØ" all fold to "tromso";
"aerlig" and "ærlig" to "aerlig"; "sapmi" and "Sápmi" to "sapmi". The letters æ, ø and å are
typed as ae, o/oe and a/aa on a keyboard without them, so both spellings fold alike; Sámi letters
(á, č, đ, ŋ, š, ŧ, ž) and other accented Latin letters fold to their base letter.

``sort_key`` orders names as a Norwegian reader expects: case-insensitively, accented letters
with their base letter, and Æ, Ø, Å after Z (Ä and Ö with Æ and Ø, as Norwegian dictionaries
do). "Aa" at the start of a name sorts as written (with A), as the telephone directory now does.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = {
    "æ": "ae",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ŋ": "n",
    "ŧ": "t",
    "ł": "l",
    "þ": "th",
    "œ": "oe",
    "ß": "ss",
}
_FOLD = str.maketrans(_LETTERS)
# Spellings of æ, ø and å on a keyboard without them, folded like the letter.
_SPELLINGS = (("aa", "a"), ("oe", "o"))

# Norwegian order: a–z, then æ, ø, å. The three are mapped to the characters after "z" in
# code point order ("{", "|", "}"), so a plain binary comparison of keys is Norwegian order.
_AFTER_Z = {"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"}


def fold(text: str) -> str:
    """The search key of ``text``: casefolded, accents and Norwegian letters folded, spaces
    collapsed. Compare keys with ``==`` or ``in``."""
    text = text.casefold().translate(_FOLD)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    for spelling, letter in _SPELLINGS:
        text = text.replace(spelling, letter)
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def _sort_char(c: str) -> str:
    if c in _AFTER_Z:
        return _AFTER_Z[c]
    if c in _LETTERS:
        return _LETTERS[c]
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    return base or c


def sort_key(text: str | None) -> str:
    """A key whose plain (binary) order is Norwegian alphabetical order of ``text``: Z < Æ <
    Ø < Å, case and accents ignored; ties are broken by the text itself, so the order is
    total."""
    if text is None:
        return ""
    folded = text.casefold()
    if not folded.isascii():
        folded = "".join(_sort_char(c) if ord(c) > 127 else c for c in folded)
    return f"{folded}\x00{text}"


def best_matches(query: str, rows: list[dict], field: str = "name") -> list[dict]:
    """Of ``rows`` whose folded ``field`` contains the folded ``query``, the ones meant: those
    named exactly as typed (case aside), else those whose whole name folds to the query, else
    all of them (a fragment)."""
    typed = query.strip().casefold()
    exact = [r for r in rows if r[field].casefold() == typed]
    if exact:
        return exact
    key = fold(query)
    return [r for r in rows if fold(r[field]) == key] or rows


def matched_note(query: str, name: str) -> str | None:
    """The line telling the user which name a lookup found, when it is not what was typed."""
    if name.casefold() == query.strip().casefold():
        return None
    return f"Matched {name!r}"
