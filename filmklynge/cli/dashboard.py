"""Renders the `summary` data as text that reads well in an 80-column terminal.

Presentation only: takes the plain dict from services.summary and returns a string.
"""

from __future__ import annotations

from typing import Any

BAR = "█"


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 member', '3 members'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def bar(value: int, largest: int, width: int = 20) -> str:
    if largest <= 0 or value <= 0:
        return ""
    return BAR * max(1, round(width * value / largest))


def _text(value: object, style: str = ""):
    """Stored text as a Rich Text: never read as markup ('[bold]'), control characters shown
    as escapes rather than sent to the terminal."""
    from rich.text import Text

    from filmklynge.output import visible

    return Text(visible(str(value)), style=style)


def _breakdown_table(title: str, rows: list[dict[str, Any]]):
    from rich.table import Table

    from filmklynge.output import terminal_width

    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    # A long name is never cut: on a narrow screen the bars get shorter first, then the name
    # wraps at a space.
    table.add_column("name", overflow="fold")
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    if len(rows) > 6:  # keep the screen short: the five largest, then the rest together
        rest = sum(r["members"] for r in rows[5:])
        rows = [*rows[:5], {"name": f"{len(rows) - 5} others", "members": rest}]
    largest = max((r["members"] for r in rows), default=0)
    name_width = max((len(str(r["name"])) for r in rows), default=0)
    room = terminal_width() - name_width - len(str(largest)) - 4  # two gaps of two
    width = max(3, min(20, room))
    for r in rows:
        table.add_row(_text(r["name"]), str(r["members"]), bar(r["members"], largest, width))
    return table


def render_summary(data: dict[str, Any], cluster_name: str, prog: str = "filmklynge") -> str:
    """The summary screen; ``prog`` starts each suggested command (with the --db typed, so a
    hint can be copied as it stands)."""
    from rich.console import Group
    from rich.text import Text

    from filmklynge.dates import norwegian
    from filmklynge.output import capture

    m = data["members"]
    parts: list[Any] = []
    parts.append(_text(f"{cluster_name} — status {norwegian(m['as_of'])}", style="bold"))
    parts.append(Text(""))
    parts.append(
        Text(
            f"Members: {m['active']} active, {m['pending']} pending.  "
            f"{m['year']}: {m['joined_this_year']} joined, {m['left_this_year']} left."
        )
    )
    parts.append(Text(""))
    for title, key in (
        ("By tier", "by_tier"),
        ("By county", "by_county"),
        ("By sector", "by_sector"),
    ):
        if m[key]:
            parts.append(_breakdown_table(title, m[key]))
            parts.append(Text(""))
    d = data.get("dues")
    if d:
        from rich.table import Table

        from filmklynge.money import format_nok

        table = Table(
            title="Dues (incl. VAT)",
            title_justify="left",
            box=None,
            pad_edge=False,
            header_style="bold",
        )
        table.add_column("Fee year")
        for label in ("Invoiced", "Paid", "Outstanding", "Overdue"):
            table.add_column(label, justify="right")
        for year, v in sorted(d["years"].items(), reverse=True):
            table.add_row(
                year,
                *(
                    format_nok(v[k], symbol=False)
                    for k in ("invoiced_ore", "paid_ore", "outstanding_ore", "overdue_ore")
                ),
            )
        parts += [table, Text("")]
    grants = data.get("cofunding") or []
    if grants:
        from rich.table import Table

        from filmklynge.money import format_nok

        table = Table(
            title=f"Co-funding {grants[0]['year']}",
            title_justify="left",
            box=None,
            pad_edge=False,
            header_style="bold",
        )
        table.add_column("Grant")
        table.add_column("Granted", justify="right")
        table.add_column("Contributed", justify="right")
        table.add_column("Match rule")
        table.add_column("Public share")
        for g in grants:
            waiting = g.get("status") == "not started"
            table.add_row(
                _text(g["grant"]),
                format_nok(g["granted_ore"], symbol=False),
                format_nok(g["contributed_ore"], symbol=False),
                "not started"
                if waiting
                else "pass"
                if g["match_ok"]
                else f"short {format_nok(g['match_shortfall_ore'])}",
                "not started"
                if waiting
                else "pass"
                if g["public_ok"]
                else f"short {format_nok(g['public_shortfall_ore'])}",
            )
        parts += [table, Text("")]
    attention = []
    short = [g for g in grants if g.get("status") == "short"]
    if short:
        grants_short = ", ".join(g["grant"] for g in short)
        attention.append(
            f"{count(len(short), 'grant')} short of co-funding ({grants_short}). "
            f"See: {prog} cofunding --by-member"
        )
    if d and d["members_with_overdue"]:
        late = d["members_with_overdue"]
        total = sum(x["overdue_ore"] for x in late)
        names = ", ".join(x["member"] for x in late[:4]) + (" …" if len(late) > 4 else "")
        attention.append(
            f"{count(len(late), 'member')} overdue, {format_nok(total)} ({names}). "
            f"See: {prog} dues --overdue"
        )
    if d and d["unmatched_payments"]:
        unmatched = count(d["unmatched_payments"], "unmatched payment")
        attention.append(f"{unmatched}. See: {prog} payments unmatched")
    near = data.get("inkind_near_cap") or []
    if near:
        who = ", ".join(f"{p['person']} ({p['member']}, {p['hours']:g} h)" for p in near[:3])
        attention.append(f"{count(len(near), 'person')} near the yearly in-kind cap: {who}")
    undelivered = data.get("deliveries") or []
    if undelivered:
        failed = [x for x in undelivered if x["status"] == "failed"]
        pending = [x for x in undelivered if x["status"] == "pending"]
        counts = [f"{count(len(failed), 'delivery', 'deliveries')} failed"] if failed else []
        if pending:
            counts.append(f"{count(len(pending), 'delivery', 'deliveries')} pending")
        which = ", ".join(f"{x['number']} {x['member']}" for x in undelivered[:3])
        more = " …" if len(undelivered) > 3 else ""
        status = "failed" if failed else "pending"
        attention.append(
            f"{', '.join(counts)} ({which}{more}). "
            f"See: {prog} invoices deliveries --status {status}"
        )
    if m["without_tier"]:
        names = ", ".join(r["name"] for r in m["without_tier"])
        attention.append(
            f"{count(len(m['without_tier']), 'active member')} without a tier: {names}"
        )
    if m["contacts_missing_email"]:
        attention.append(
            f"{count(m['contacts_missing_email'], 'contact')} without e-mail "
            f"({', '.join(m['contacts_missing_email_members'])})"
        )
    parts.append(Text("Needs attention", style="bold"))
    if attention:
        from rich.table import Table

        items = Table.grid(padding=(0, 1))  # a wrapped line stays indented under its bullet
        items.add_column(justify="right", width=3)
        items.add_column()
        for line in attention:
            items.add_row("•", _text(line))
        parts.append(items)
    else:
        parts.append(Text("  Nothing."))
    return capture(Group(*parts))
