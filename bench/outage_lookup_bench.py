"""Outage lookup benchmark: a message naming a street -> the street -> the outages covering it.

Builds a synthetic gazetteer (default 10,000 streets in 50 municipalities, with 5 districts and 10 fountains
in each) and outages of every area kind (CAP polygons and circles, ISTAT codes, planned interruptions of single
streets), then times ``find_outage`` on generated citizen messages (some misspelt, some without the town, some
naming a district or a fountain).

    .venv/bin/python bench/outage_lookup_bench.py [--streets 10000] [--messages 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.gazetteer import Gazetteer, Street  # noqa: E402
from knowledge.outage_lookup import Finding, find_outage  # noqa: E402
from knowledge.outages import Circle, Outage, OutageArea, OutageIndex, Polygon, street_area  # noqa: E402
from knowledge.places import Area, Places, ServicePoint, distinct_words  # noqa: E402
from bot.subjects import SubjectKind  # noqa: E402
from knowledge.streetnames import street_key  # noqa: E402

NOW = datetime.fromisoformat("2026-12-03T12:00:00+01:00")
TYPES = ("Via", "Via", "Via", "Viale", "Piazza", "Corso", "Largo", "Vicolo")
FIRST = ("Giuseppe", "Antonio", "Maria", "Giovanni", "Aldo", "Luigi", "Vittorio", "Nicola", "Carlo", "Anna",
         "Pietro", "Francesco", "Michele", "Rosa", "Domenico", "Elena", "Sandro", "Grazia", "Enzo", "Teresa")
LAST = ("Garibaldi", "Mazzini", "Verdi", "Cavour", "Rossi", "Moro", "Dante", "Manzoni", "Petrarca", "Leopardi",
        "Marconi", "Volta", "Fermi", "Galilei", "Colombo", "Carducci", "Pascoli", "Gramsci", "Matteotti",
        "De Gasperi", "Einaudi", "Amendola", "Salvemini", "Di Vittorio", "Pertini", "Bixio", "Crispi",
        "Oberdan", "Battisti", "Sauro", "Toti", "Cadorna", "Diaz", "Spalato", "Trieste", "Fiume", "Zara")
TOWNS = ("Acquaviva", "Adelfia", "Alberobello", "Altamura", "Binetto", "Bitetto", "Bitonto", "Bitritto",
         "Capurso", "Casamassima", "Cassano", "Castellana", "Cellamare", "Conversano", "Corato", "Gioia",
         "Giovinazzo", "Gravina", "Grumo", "Locorotondo", "Modugno", "Mola", "Molfetta", "Monopoli", "Noci",
         "Noicattaro", "Palo", "Poggiorsini", "Polignano", "Putignano", "Rutigliano", "Ruvo", "Sammichele",
         "Sannicandro", "Santeramo", "Terlizzi", "Toritto", "Triggiano", "Turi", "Valenzano", "Bari",
         "Barletta", "Andria", "Trani", "Bisceglie", "Canosa", "Minervino", "Spinazzola", "Margherita",
         "Trinitapoli")
DISTRICTS = ("Centro", "Borgo Antico", "San Pasquale", "Libertà", "Carrassi", "Picone", "Japigia", "Stanic")


def build(n_streets: int, rng: random.Random) -> tuple[Gazetteer, OutageIndex, list[tuple[str, str]]]:
    """A gazetteer, an outage index and (town code, centre) for the towns used."""
    per_town = max(1, n_streets // len(TOWNS))
    streets: list[Street] = []
    centres: dict[str, tuple[float, float]] = {}
    for t, town in enumerate(TOWNS):
        code = f"072{t:03d}"
        clat, clon = 40.6 + (t % 10) * 0.08, 16.2 + (t // 10) * 0.12
        centres[code] = (clat, clon)
        names: set[str] = set()
        while len(names) < per_town:
            names.add(f"{rng.choice(TYPES)} {rng.choice(FIRST)} {rng.choice(LAST)}"
                      if rng.random() < 0.7 else f"{rng.choice(TYPES)} {rng.choice(LAST)}")
        for name in sorted(names):
            points = tuple((clat + rng.uniform(-0.02, 0.02), clon + rng.uniform(-0.02, 0.02)) for _ in range(3))
            streets.append(Street(code, town, name, street_key(name), points))
    areas: list[Area] = []
    points: list[ServicePoint] = []
    for t, town in enumerate(TOWNS):
        code = f"072{t:03d}"
        clat, clon = centres[code]
        for d, name in enumerate(DISTRICTS[:5]):
            lat, lon = clat - 0.02 + 0.008 * d, clon - 0.02
            ring = ((lat, lon), (lat, lon + 0.04), (lat + 0.008, lon + 0.04), (lat + 0.008, lon), (lat, lon))
            areas.append(Area(f"{code}-d{d}", SubjectKind.DISTRICT, name, street_key(name), (Polygon(ring),),
                              code, town))
        for f in range(10):
            street = rng.choice([s for s in streets[t * per_town:(t + 1) * per_town]])
            name = f"Fontanella di {street.name}"
            key = street_key(name)
            points.append(ServicePoint(f"{code}-f{f}", "fountain", name, key, street.points[0], code, town,
                                       street.key, distinct_words("fountain", key)))
    gazetteer = Gazetteer(streets, Places(areas, points))
    outages: list[Outage] = []
    codes = sorted(centres)
    start, end = NOW - timedelta(hours=3), NOW + timedelta(hours=6)
    for i, code in enumerate(rng.sample(codes, 20)):
        lat, lon = centres[code]
        ring = ((lat - 0.01, lon - 0.01), (lat - 0.01, lon + 0.005), (lat + 0.008, lon + 0.005),
                (lat + 0.008, lon - 0.01), (lat - 0.01, lon - 0.01))
        outages.append(Outage(f"cap-poly-{i}", NOW, (OutageArea(code, polygons=(Polygon(ring),)),), start, end))
    for i, code in enumerate(rng.sample(codes, 20)):
        lat, lon = centres[code]
        outages.append(Outage(f"cap-circle-{i}", NOW, (OutageArea(code, circles=(Circle(lat, lon, 0.8),)),),
                              start, end))
    for i, code in enumerate(rng.sample(codes, 5)):
        outages.append(Outage(f"cap-istat-{i}", NOW, (OutageArea(code, codes=frozenset({code})),), start, end))
    for i, street in enumerate(rng.sample(gazetteer.streets, 200)):
        outages.append(Outage(f"csv-{i}", None, (street_area(street.code, street.name),), start, end))
    return gazetteer, OutageIndex(outages), [(c, TOWNS[int(c[3:])]) for c in codes]


def typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters of the last word."""
    head, _, word = text.rpartition(" ")
    if len(word) < 5:
        return text
    i = rng.randrange(1, len(word) - 2)
    return f"{head} {word[:i]}{word[i + 1]}{word[i]}{word[i + 2:]}"


def places_messages(gazetteer: Gazetteer, rng: random.Random, n: int) -> list[str]:
    """``n`` messages naming a district ('quartiere X a Town') and ``n`` naming a fountain, in Italian and English."""
    out = []
    for i in range(n):
        district = rng.choice(gazetteer.places.areas)
        point = rng.choice(gazetteer.places.points)
        if i % 2:
            out += [f"no water in the {district.name} district of {district.municipality}",
                    f"the drinking fountain in {point.name.removeprefix('Fontanella di ')} is broken"]
        else:
            out += [f"quartiere {district.name} a {district.municipality} senza acqua",
                    f"la {point.name.lower()} a {point.municipality} non funziona"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streets", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=1, help="time each message this many times, keep the best")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    gazetteer, index, _towns = build(args.streets, rng)
    built = time.perf_counter() - t0
    messages = []
    for _ in range(args.messages):
        street = rng.choice(gazetteer.streets)
        name = typo(street.name, rng) if rng.random() < 0.2 else street.name
        town = f" a {street.municipality}" if rng.random() < 0.85 else ""
        messages.append(f"{name}{town} senza acqua da stamattina")
    messages += places_messages(gazetteer, rng, args.messages // 10)
    messages += ["quanto costa la bolletta?"] * (args.messages // 20)
    findings: dict[str, int] = {}
    times = []
    for text in messages:
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            found = find_outage(gazetteer, index, text, NOW)
            best = min(best, (time.perf_counter() - t) * 1000)
        times.append(best)
        findings[str(found.finding)] = findings.get(str(found.finding), 0) + 1
    times.sort()
    print(f"streets={len(gazetteer.streets)} areas={len(gazetteer.places.areas)} "
          f"service_points={len(gazetteer.places.points)} outages={len(index)} messages={len(messages)} "
          f"build_s={built:.2f} load={os.getloadavg()[0]:.1f}")
    print(f"lookup_ms median={statistics.median(times):.3f} p95={times[int(0.95 * len(times))]:.3f} "
          f"p99={times[int(0.99 * len(times))]:.3f} max={times[-1]:.3f}")
    print("findings " + " ".join(f"{k}={v}" for k, v in sorted(findings.items())))
    assert Finding.COVERED in {Finding(k) for k in findings}


if __name__ == "__main__":
    main()
