"""The fictional North-Norwegian film cluster that fills sample.db (no real persons)."""

from __future__ import annotations

import random

CLUSTER = {
    "name": "Nordnorsk Filmklynge SA",
    "orgnr": "923609016",
    "account_no": "86011117947",
    "bic": "DNBANOKK",
    "vat_registered": True,
    "foretaksregisteret": True,
    "address_line": "Storgata 12",
    "postal_code": "9008",
    "city": "Tromsø",
    "email": "post@filmklynge.example",
    "phone": "77600000",
    "website": "https://filmklynge.example",
    "reminder_fee_ore": 3500,
    "reminder_fee_cap_ore": 3500,
}

TIERS = [
    # code, name, {year: (membership kr, service kr)}
    ("enk", "Enkeltpersonforetak", {2024: (500, 1000), 2025: (500, 1200), 2026: (600, 1400)}),
    ("small", "1–5 tilsette", {2024: (1000, 3000), 2025: (1000, 3500), 2026: (1200, 4000)}),
    ("medium", "6–20 tilsette", {2024: (2000, 7000), 2025: (2000, 8000), 2026: (2500, 9000)}),
    ("large", "21+ tilsette, festivaler og institusjoner",
     {2024: (4000, 14000), 2025: (4000, 16000), 2026: (5000, 18000)}),
]

# name, legal form, sector, tier, municipality, county, postal code, city, employees, joined
MEMBERS = [
    ("Polarlys Film AS", "AS", "film production", "medium", "Tromsø", "Troms", "9008", "Tromsø", 9, "2024-01-01"),
    ("Nordkapp Dokumentar AS", "AS", "film production", "small", "Nordkapp", "Finnmark", "9750", "Honningsvåg", 3, "2024-01-01"),
    ("Kjøllefjord Bildeverk", "ENK", "film production", "enk", "Lebesby", "Finnmark", "9790", "Kjøllefjord", 1, "2024-01-01"),
    ("Vefsn Postproduksjon AS", "AS", "post-production", "small", "Vefsn", "Nordland", "8657", "Mosjøen", 4, "2024-01-01"),
    ("Polarnatt Filmfestival", "stiftelse", "festival", "large", "Tromsø", "Troms", "9008", "Tromsø", 24, "2024-01-01"),
    ("Lofotlys Produksjon AS", "AS", "film production", "small", "Vågan", "Nordland", "8300", "Svolvær", 5, "2024-01-01"),
    ("Bodø Animasjon AS", "AS", "animation", "medium", "Bodø", "Nordland", "8006", "Bodø", 12, "2024-01-01"),
    ("Sápmi Film DA", "DA", "film production", "small", "Kautokeino", "Finnmark", "9520", "Kautokeino", 2, "2024-01-01"),
    ("Harstad Lyd og Bilde AS", "AS", "technical services", "small", "Harstad", "Troms", "9405", "Harstad", 5, "2024-01-01"),
    ("Altafjord Media AS", "AS", "film production", "medium", "Alta", "Finnmark", "9510", "Alta", 7, "2024-01-01"),
    ("Varanger Filmverksted", "ENK", "film production", "enk", "Sør-Varanger", "Finnmark", "9900", "Kirkenes", 1, "2024-01-01"),
    ("Ofoten Spillstudio AS", "AS", "games", "small", "Narvik", "Nordland", "8514", "Narvik", 4, "2024-01-01"),
    ("Rana Lydstudio", "ENK", "music", "enk", "Rana", "Nordland", "8622", "Mo i Rana", 1, "2024-01-01"),
    ("Vesterålen Film AS", "AS", "film production", "small", "Sortland", "Nordland", "8400", "Sortland", 3, "2024-01-01"),
    ("Senja Scenografi", "ENK", "design", "enk", "Senja", "Troms", "9300", "Finnsnes", 1, "2024-01-01"),
    ("Karasjok Kulturproduksjon AS", "AS", "film production", "small", "Karasjok", "Finnmark", "9730", "Karasjok", 3, "2024-03-01"),
    ("Nordlandsfilm Utdanning", "kommunal", "education", "large", "Bodø", "Nordland", "8006", "Bodø", 35, "2024-01-01"),
    ("Helgeland Filmproduksjon AS", "AS", "film production", "small", "Alstahaug", "Nordland", "8800", "Sandnessjøen", 2, "2024-06-01"),
    ("Andøy Dronefoto", "ENK", "technical services", "enk", "Andøy", "Nordland", "8480", "Andenes", 1, "2024-09-15"),
    ("Tromsø Fargekorrigering AS", "AS", "post-production", "small", "Tromsø", "Troms", "9008", "Tromsø", 3, "2025-01-01"),
    ("Porsanger Film og Foto", "ENK", "film production", "enk", "Porsanger", "Finnmark", "9700", "Lakselv", 1, "2025-02-01"),
    ("Lyngen Location Services AS", "AS", "technical services", "small", "Lyngen", "Troms", "9060", "Lyngseidet", 2, "2025-04-10"),
    ("Hammerfest Dokfilm AS", "AS", "film production", "small", "Hammerfest", "Finnmark", "9600", "Hammerfest", 4, "2025-01-01"),
    ("Stokmarknes Filmteknikk", "ANS", "technical services", "small", "Hadsel", "Nordland", "8450", "Stokmarknes", 2, "2025-08-01"),
    ("Vadsø Visuell AS", "AS", "design", "small", "Vadsø", "Finnmark", "9800", "Vadsø", 3, "2025-01-01"),
    ("Brønnøy Filmklipp", "ENK", "post-production", "enk", "Brønnøy", "Nordland", "8900", "Brønnøysund", 1, "2026-01-01"),
    ("Skjervøy Havfilm AS", "AS", "film production", "small", "Skjervøy", "Troms", "9180", "Skjervøy", 2, "2026-03-01"),
    ("Nordnorsk Filmsenter AS", "AS", "distribution", "medium", "Tromsø", "Troms", "9008", "Tromsø", 8, "2026-06-15"),
    ("Leknes Fortellerverksted", "ENK", "film production", "enk", "Vestvågøy", "Nordland", "8370", "Leknes", 1, "2024-01-01"),
    ("Mosjøen Musikkfilm AS", "AS", "music", "small", "Vefsn", "Nordland", "8657", "Mosjøen", 2, "2024-01-01"),
]

# (index into MEMBERS, left on): two resigned members
RESIGNED = [(28, "2025-06-30"), (29, "2025-12-31")]

# A Swedish partner company, invoiced in English with IBAN/BIC.
FOREIGN = ("Kiruna Bild & Film AB", "SE", "SE556677889901", "film production", "small",
           "Storgatan 5", "98131", "Kiruna", 3, "2025-01-01")

FIRST = ["Kari", "Ola", "Ingrid", "Mats", "Sunniva", "Ánde", "Berit", "Eirik", "Hanne", "Jon",
         "Liv", "Marit", "Nils", "Randi", "Sigrid", "Tor", "Unni", "Vegard", "Åse", "Elle"]
LAST = ["Nordmann", "Johansen", "Hansen", "Pedersen", "Karlsen", "Olsen", "Nilsen", "Eira",
        "Berg", "Strand", "Haugen", "Solberg", "Bakken", "Lund", "Sara", "Mikkelsen"]
ROLES = ["daglig leder", "produsent", "økonomiansvarlig", "festivalsjef", "styreleder"]


def orgnr_from(rng: random.Random) -> str:
    """A random organisation number with a valid MOD11 digit, starting with 8 or 9."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    while True:
        body = str(rng.choice((8, 9))) + "".join(str(rng.randrange(10)) for _ in range(7))
        r = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
        if r != 1:
            return body + str(0 if r == 0 else 11 - r)


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
