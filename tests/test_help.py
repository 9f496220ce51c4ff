"""Issue 14, point 6: help that teaches, and one name per idea.

Every option that takes a value says what to type; every group shows an example; help fits 80
columns; `--output/-o`, `--language` and `--from/--to` mean the same everywhere; the commands
that write what cannot be undone have `--dry-run`, and imports have `--quiet`."""

import re

import pytest
from helpers import VALID, add_grant, dump, enrol
from typer.main import get_command
from typer.testing import CliRunner

from filmklynge.cli import app

# What to type, one word per idea (filmklynge/cli/_common.py says where they are defined).
VOCABULARY = {
    "ACCOUNT",
    "AMOUNT",
    "BIC",
    "CODE",
    "CONTACT",
    "COUNT",
    "COUNTY",
    "DATE",
    "DAYS",
    "DIGITS",
    "EMAIL",
    "ENTITY",
    "EVENT",
    "FIELDS",
    "FILE",
    "FOLDER",
    "FORM",
    "FUNDER",
    "GRANT",
    "HOST",
    "HOURS",
    "ID",
    "KID",
    "KIND",
    "LINE",
    "MEMBER",
    "METHOD",
    "NAME",
    "NUMBER",
    "ORGNR",
    "PATH",
    "PAYMENT",
    "PERCENT",
    "PERCENTS",
    "PERIOD",
    "PERMILLE",
    "PHONE",
    "PORT",
    "RATIO",
    "SECTOR",
    "SEQ",
    "STATUS",
    "TERM",
    "TEXT",
    "TIER",
    "TITLE",
    "URL",
    "USER",
    "VATID",
    "YEAR",
    "YEARS",
}
CHOICES = re.compile(r"[a-z0-9.]+(\|[a-z0-9.]+)+")  # nb|en, table|csv|json, q1..q4
PAIR = re.compile(r"[A-Z]+=[A-Z]+")  # CODE=PERCENT, KEY=ACCOUNT
# Free text, where no better word says what to type.
TEXT_OPTIONS = {
    "--activity",
    "--address",
    "--buyer-reference",
    "--command",
    "--contact-role",
    "--description",
    "--notes",
    "--place",
    "--reason",
    "--reference",
    "--role",
    "--search",
    "--source",
}


def _walk(command, ctx, path=()):
    """Every command and group under ``command``; groups build their commands lazily."""
    yield path, command
    for name in command.list_commands(ctx) if hasattr(command, "list_commands") else []:
        yield from _walk(command.get_command(ctx, name), ctx, (*path, name))


def _tree():
    root = get_command(app)
    with root.make_context("filmklynge", ["db"], resilient_parsing=True) as ctx:
        return list(_walk(root, ctx))


TREE = _tree()
GROUPS = [path for path, command in TREE if hasattr(command, "list_commands")]
COMMANDS = [path for path, command in TREE if not hasattr(command, "list_commands")]


def _help(path, columns=80):
    r = CliRunner().invoke(
        app, [*path, "--help"], prog_name="filmklynge", env={"COLUMNS": str(columns)}
    )
    assert r.exit_code == 0, (path, r.output)
    return r.output


def _name(path):
    return " ".join(path) or "(root)"


def test_every_value_says_what_to_type():
    wrong = []
    for path, command in TREE:
        for param in command.params:
            if getattr(param, "is_flag", False) or param.name == "help":
                continue
            metavar = param.metavar or ""
            name = param.opts[0] if param.opts else param.name
            if name.startswith("--") and metavar == "TEXT" and name not in TEXT_OPTIONS:
                wrong.append(f"{_name(path)} {name}: TEXT (say what to type)")
            elif not (
                metavar in VOCABULARY or CHOICES.fullmatch(metavar) or PAIR.fullmatch(metavar)
            ):
                wrong.append(f"{_name(path)} {name}: {metavar or 'no metavar'}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("columns", [80, 120])
def test_help_has_no_type_names_and_fits_80_columns(columns):
    noise = re.compile(
        r"<(str|int|float|path|text|[a-z]+\|[a-z|]+)>"  # Typer's type names and choices
        r"|\{[a-z_A-Z]+\}"  # {ref}, {MEMBER}
        r"|\[default: (None|False)\]"
    )
    problems = []
    for path in [p for p, _ in TREE]:
        text = _help(path, columns)
        problems += [f"{_name(path)}: {m.group()}" for m in noise.finditer(text)]
        problems += [
            f"{_name(path)}: {len(line)} columns: {line}"
            for line in text.splitlines()
            if len(line) > 80
        ]
        problems += [
            f"{_name(path)}: broken at a hyphen: {line}"
            for line in text.splitlines()
            if re.search(r"\w-$", line)
        ]
    assert not problems, "\n".join(problems)


def test_every_group_has_an_example():
    missing = [_name(path) for path in GROUPS if "Example" not in _help(path)]
    assert not missing, f"groups without an example: {missing}"


def test_example_blocks_are_not_rewrapped():
    """An example stays one command per line (a long one continues with a backslash), so it
    can be copied as it is."""
    text = _help(("members", "add"))
    assert '    filmklynge members add --name "Polarlys Film AS" --orgnr 988077917 \\\n' in text


def test_one_name_per_idea():
    found = []
    for path, command in TREE:
        for param in command.params:
            opts = [*param.opts, *param.secondary_opts]
            if {"--out", "--lang", "--since", "--until", "--start", "--end"} & set(opts):
                found.append(f"{_name(path)}: {opts}")
            if "--output" in opts and "-o" not in opts:
                found.append(f"{_name(path)}: --output without -o")
            if param.name in ("language", "lang") and opts != ["--language"]:
                found.append(f"{_name(path)}: {opts}")
            if "--dry-run" in opts and "-n" not in opts:
                found.append(f"{_name(path)}: --dry-run without -n")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "path",
    [
        ("invoices", "credit"),
        ("members", "forget"),
        ("contacts", "forget"),
        ("contacts", "remove"),
        ("grants", "disburse"),
        ("books", "close"),
    ],
)
def test_what_cannot_be_undone_has_a_dry_run(path):
    command = dict(TREE)[path]
    assert any("--dry-run" in p.opts for p in command.params)


@pytest.mark.parametrize("path", [p for p in COMMANDS if p[-1].startswith("import")])
def test_every_import_has_quiet_and_dry_run(path):
    opts = {o for p in dict(TREE)[path].params for o in p.opts}
    assert {"--quiet", "-q", "--dry-run"} <= opts


# ---- --dry-run writes nothing and shows the plan ----------------------------------------------


def test_credit_dry_run_shows_the_note_and_writes_nothing(invoiced, db_path):
    run, _ = invoiced
    before = dump(db_path)
    r = run("invoices", "credit", "10003", "--amount", "1 000", "--dry-run")
    assert dump(db_path) == before
    # 1 000,00 incl. VAT spread over what is left of the lines, 2 000,00 (E) and 3 750,00
    # (S, 25 %): 347,83 and 652,17 = 521,74 + 130,43 VAT.
    assert "Medlemskontingent 2026" in r.stdout and "-347,83" in r.stdout
    assert "-521,74" in r.stdout and "-130,43" in r.stdout
    assert "Would issue credit note 10004 for kr -1 000,00 crediting invoice 10003" in r.stderr
    assert "nothing was written" in r.stderr
    r = run("invoices", "credit", "10003", "--line", "2", "-n")
    assert dump(db_path) == before and "Would issue credit note 10004" in r.stderr
    # What it would refuse, it refuses in a dry run too.
    r = run("invoices", "credit", "10003", "--amount", "10 000", "--dry-run", code=2)
    assert "more than what is left" in r.stderr
    # The same note is then issued for real.
    run("invoices", "credit", "10003", "--amount", "1 000")
    assert dump(db_path) != before


def test_waiving_reminder_fees_has_a_dry_run(invoiced, db_path):
    run, _ = invoiced
    run("profile", "set", "--reminder-fee", "35")
    run("invoices", "remind", "--yes", env={"FILMKLYNGE_TODAY": "2026-02-10"})
    before = dump(db_path)
    r = run("invoices", "credit", "10003", "--reminder-fees", "--dry-run")
    assert dump(db_path) == before
    assert "waiving kr 35,00 in reminder fees on invoice 10003" in r.stderr


def test_forget_dry_run_lists_what_would_be_erased(cluster, db_path):
    enrol(
        cluster,
        "Polarlys Film AS",
        VALID[0],
        "--contact-name",
        "Kari Nordmann",
        "--notes",
        "Kari ringer helst",
        "--invoice-email",
        "faktura@polarlys.no",
    )
    cluster("contacts", "add", "1", "--name", "Ola Nordmann")
    before = dump(db_path)
    r = cluster("members", "forget", "Polarlys", "--dry-run")
    assert dump(db_path) == before
    assert "contact persons: 1 Kari Nordmann, 2 Ola Nordmann" in r.stderr
    assert "the member's invoice e-mail, notes" in r.stderr
    assert "Dry run: nothing was erased." in r.stderr
    r = cluster("contacts", "forget", "2", "-n")
    assert dump(db_path) == before
    assert "contact persons: 2 Ola Nordmann" in r.stderr and "Kari" not in r.stderr
    r = cluster("contacts", "remove", "2", "--dry-run")
    assert dump(db_path) == before
    assert "Would remove contact 2 (Ola Nordmann) of Polarlys Film AS." in r.stderr
    # Without --dry-run and without a terminal it still asks for --yes, having shown the plan.
    r = cluster("members", "forget", "Polarlys", code=2)
    assert "Kari Nordmann" in r.stderr and "--yes" in r.stderr
    assert dump(db_path) == before


def test_disburse_dry_run_names_the_tranche(cluster, db_path):
    cluster("funders", "add", "Innovasjon Norge")
    add_grant(cluster, "IN-1", "300 000", "2026-01-01", "2026-12-31")
    before = dump(db_path)
    r = cluster("grants", "disburse", "IN-1", "--amount", "50 000", "--on", "2026-02-01", "-n")
    assert dump(db_path) == before
    # The first tranche is 30 % of 300 000 = 90 000; 40 000 is left of it after 50 000.
    assert "against tranche 1" in r.stderr and "kr 40 000,00 of the tranche" in r.stderr
    assert "kr 250 000,00 of the grant left" in r.stderr
    r = cluster("grants", "disburse", "IN-1", "--amount", "90 000,01", "--dry-run", code=2)
    assert "more than what is left of tranche 1" in r.stderr
    assert dump(db_path) == before


def test_books_close_dry_run(invoiced, db_path):
    run, _ = invoiced
    before = dump(db_path)
    r = run("books", "close", "--through", "2026-01-31", "--dry-run")
    assert dump(db_path) == before
    assert "Would close the books through 31.01.2026 (now never closed)" in r.stderr


# ---- --quiet imports say nothing on success --------------------------------------------------


def test_quiet_imports_print_nothing_on_stderr(invoiced, db_path, tmp_path):
    from filmklynge.ledger.bankfile_writers import make_camt

    run, kids = invoiced
    files = {
        "members.csv": "name,orgnr,county,tier\n"
        f"Nordkapp Dokumentar AS,{VALID[4]},Finnmark,small\n",
        "camt054.xml": make_camt(
            "054",
            [("P-1", kids[10003][0], "5750.00")],
            version="02",
            status="BOOK",
            credit_debit="CRDT",
            booked="2026-02-01",
        ),
        "timer.csv": "medlem;person;dato;timer;aktivitet;lønn\n"
        f"{VALID[0]};Kari Nordmann;2026-02-02;6;Samling;650 000\n",
        "deltakere.csv": f"medlem;deltaker\n{VALID[0]};Kari Nordmann\n",
        "regnskap.csv": f"orgnr;navn;år;omsetning;ansatte\n{VALID[0]};;2019;2 400 000;3\n",
        "produksjoner.csv": f"år;tittel;type;medlemmer\n2019;Kystfolk;series;{VALID[0]}\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run("events", "add", "Samling", "--on", "2026-02-02", "--hours", "6")
    imports = [
        ("members", "import", tmp_path / "members.csv"),
        ("payments", "import", tmp_path / "camt054.xml"),
        ("inkind", "import", tmp_path / "timer.csv"),
        ("events", "import-attendance", "1", tmp_path / "deltakere.csv"),
        ("impact", "import", tmp_path / "regnskap.csv"),
        ("productions", "import", tmp_path / "produksjoner.csv"),
    ]
    for args in imports:
        before = dump(db_path)
        shown = run(*args, "--dry-run", "--quiet")  # a dry run is all report: it still says
        assert shown.stderr and dump(db_path) == before, args
        r = run(*args, "--quiet")
        assert r.stderr == "", (args, r.stderr)
        assert dump(db_path) != before, args
    # Errors are still shown: the same member again is refused, and says why.
    r = run("members", "import", tmp_path / "members.csv", "--quiet", code=2)
    assert "Nordkapp Dokumentar AS" in r.stderr or "already" in r.stderr
