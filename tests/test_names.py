"""Names as Norwegians type them: lookups fold case and accents, lists sort Z, Æ, Ø, Å."""

import csv
import io

import pytest
from helpers import VALID, enrol

from filmklynge.text import fold, sort_key


@pytest.fixture
def nordic(cluster):
    for name, orgnr in [
        ("Ærlig Øy AS", VALID[0]),
        ("Sápmi Film DA", VALID[1]),
        ("Tromsø Dok AS", VALID[2]),
    ]:
        enrol(cluster, name, orgnr)
    return cluster


@pytest.mark.parametrize(
    "typed, name",
    [
        ("ærlig", "Ærlig Øy AS"),
        ("aerlig", "Ærlig Øy AS"),
        ("sapmi", "Sápmi Film DA"),
        ("tromso", "Tromsø Dok AS"),
        ("tromsoe", "Tromsø Dok AS"),
        ("TROMSØ", "Tromsø Dok AS"),
    ],
)
def test_a_member_is_found_as_typed_and_the_match_is_shown(nordic, typed, name):
    r = nordic("members", "show", typed, "--format", "json")
    assert f'"name": "{name}"' in r.stdout
    assert f"Matched '{name}'" in r.stderr


def test_an_exact_name_says_nothing(nordic):
    r = nordic("members", "show", "sápmi film da", "--format", "json")
    assert "Sápmi Film DA" in r.stdout and "Matched" not in r.stderr
    r = nordic("members", "show", "ÆRLIG ØY AS", "--format", "json")
    assert "Ærlig Øy AS" in r.stdout and "Matched" not in r.stderr


def test_list_search_folds_too(nordic, run_json):
    def names(search):
        return [r["name"] for r in run_json("members", "list", "--search", search)]

    assert names("tromso") == ["Tromsø Dok AS"]
    assert names("sapmi") == ["Sápmi Film DA"]
    assert names("ærlig") == names("aerlig") == ["Ærlig Øy AS"]


def test_a_fold_that_fits_several_members_is_still_an_error(cluster):
    enrol(cluster, "Åsen Film AS", VALID[0])
    enrol(cluster, "Aasen Film AS", VALID[1])
    r = cluster("members", "show", "asen film", code=2)
    assert "matches several members" in r.stderr
    assert "Åsen Film AS" in r.stderr and "Aasen Film AS" in r.stderr
    # Typed exactly, each is still found.
    assert "Matched" not in cluster("members", "show", "Åsen Film AS").stderr


def test_members_are_listed_in_norwegian_order(cluster, run_json):
    for name, orgnr in zip(
        ["Østby AS", "Åsen AS", "Zeta AS", "Ærlig AS", "Aasen AS"], VALID, strict=False
    ):
        enrol(cluster, name, orgnr)
    expected = ["Aasen AS", "Zeta AS", "Ærlig AS", "Østby AS", "Åsen AS"]
    assert [r["name"] for r in run_json("members", "list")] == expected
    exported = csv.DictReader(io.StringIO(cluster("export", "members", "--format", "csv").stdout))
    assert [r["name"] for r in exported] == expected


def test_the_keys():
    assert fold("Tromsø") == fold("tromsoe") == fold("TROMSO") == "tromso"
    assert fold("Čáhppes Šaddu Đ Ŋ Ŧ Ž") == "cahppes saddu d n t z"
    assert sorted(["Åsen", "ærlig", "Zeta", "Øst", "aasen", "Ábo"], key=sort_key) == [
        "aasen",
        "Ábo",
        "Zeta",
        "ærlig",
        "Øst",
        "Åsen",
    ]
