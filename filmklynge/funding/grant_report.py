"""The report pack a funder asks for, as one XLSX workbook (a sheet each) or CSV files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from filmklynge.errors import InvalidInput
from filmklynge.store.db import Database


def sheets(db: Database, grant: str, *, year: int | None, as_of: date) -> dict[str, list[list]]:
    from filmklynge.funding import cofunding, grants

    g = grants.grant_details(db, grant)
    data = cofunding.cofunding(db, as_of=as_of, grant=str(g["id"]), year=year, by_member=True)
    entry = data["grants"][0]
    kr = lambda ore: round(ore / 100, 2)  # noqa: E731 - the sheets show kroner
    financing = [["År", "Kilde", "Kontant (kr)", "Egeninnsats (kr)", "Sum (kr)"]]
    for r in [*entry["years"], entry["total"]]:
        label = str(r["year"]) if r["year"] != "total" else "Sum"
        financing.append(
            [
                label,
                f"{g['funder']} ({'offentlig' if g['is_public'] else 'privat'})",
                kr(r["granted_ore"]),
                0,
                kr(r["granted_ore"]),
            ]
        )
        financing.append(
            [
                label,
                "Medlemmenes kontingent (netto)",
                kr(r["members_cash_ore"]),
                0,
                kr(r["members_cash_ore"]),
            ]
        )
        financing.append(
            [label, "Medlemmenes egeninnsats", 0, kr(r["inkind_ore"]), kr(r["inkind_ore"])]
        )
        financing.append(
            [
                label,
                "Totalt",
                kr(r["granted_ore"] + r["members_cash_ore"]),
                kr(r["inkind_ore"]),
                kr(r["total_ore"]),
            ]
        )
    inkind = [
        ["Dato", "Medlem", "Person", "Aktivitet", "Timer", "Sats (kr/t)", "Grunnlag", "Verdi (kr)"]
    ]
    clauses, params = ["i.worked_on BETWEEN ? AND ?"], [g["start_on"], g["end_on"]]
    if year:
        clauses.append("substr(i.worked_on, 1, 4) = ?")
        params.append(str(year))
    clauses.append("(i.grant_id IS NULL OR i.grant_id = ?)")
    params.append(g["id"])
    # Only members' in-kind counts (as in cofunding): not work by a company that was not a
    # member that day.
    clauses.append(f"EXISTS ({cofunding.MEMBER_ON_DAY})")
    for r in db.query(
        f"""SELECT i.worked_on, m.name, i.person, i.activity, i.hours_x100, i.rate_ore, i.basis,
                   i.value_ore FROM inkind i JOIN members m ON m.id = i.member_id
            WHERE {" AND ".join(clauses)} ORDER BY norwegian(m.name), i.worked_on""",
        params,
    ):
        inkind.append(
            [
                r["worked_on"],
                r["name"],
                r["person"],
                r["activity"],
                r["hours_x100"] / 100,
                kr(r["rate_ore"]),
                r["basis"],
                kr(r["value_ore"]),
            ]
        )
    fees = [["Medlem", "Kontingent innbetalt, netto (kr)", "Egeninnsats (kr)", "Sum (kr)"]]
    for m in entry["members"]:
        fees.append([m["member"], kr(m["cash_ore"]), kr(m["inkind_ore"]), kr(m["total_ore"])])
    tranches = [["Del", "Vilkår", "Innvilget (kr)", "Mottatt (kr)", "Holdt tilbake (kr)"]]
    for t in g["tranches"]:
        tranches.append(
            [t["seq"], t["label"], kr(t["amount_ore"]), kr(t["received_ore"]), kr(t["left_ore"])]
        )
    return {
        "Finansiering": financing,
        "Egeninnsats": inkind,
        "Per medlem": fees,
        "Utbetalinger": tranches,
    }


def write(db: Database, grant: str, *, out: Path, year: int | None, as_of: date) -> list[Path]:
    from filmklynge.safe_write import replacing
    from filmklynge.tablefile import write_csv, write_xlsx

    data = sheets(db, grant, year=year, as_of=as_of)
    out = Path(out)
    if out.suffix.lower() == ".xlsx":
        with replacing(out) as tmp:  # an existing file is replaced, as by every command
            write_xlsx(tmp, data)
        return [out]
    if out.suffix:
        raise InvalidInput(f"--output {out} must end in .xlsx, or be a folder for CSV files.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, *rows) in data.items():
        path = out / f"{name.lower().replace(' ', '-')}.csv"
        with replacing(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
            write_csv(fh, header, rows, excel=True)
        written.append(path)
    return written
