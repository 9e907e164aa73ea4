"""What naming a message's place costs a water or waste service: ``Gazetteer.subjects`` per message.

Uses the outage lookup benchmark's synthetic gazetteer (default 10,000 streets in 50 municipalities, 250
districts, 500 fountains) and its citizen messages (some misspelt, some without the town, some naming no street,
some a district or a fountain, one in five a house number, 'via Roma 12' or '12 via Roma', in Italian and
English); prints the per-message
median and 99th percentile and the share of messages given a street or a municipality.

    .venv/bin/python bench/subject_finding_bench.py [--streets 10000] [--messages 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from outage_lookup_bench import TOWNS, build, places_messages, typo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streets", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    gazetteer, _index, _centres = build(args.streets, rng)
    messages = []
    for _ in range(args.messages):
        street = rng.choice(gazetteer.streets)
        name = typo(street.name, rng) if rng.random() < 0.2 else street.name
        town = f" a {street.municipality}" if rng.random() < 0.7 else ""
        door = rng.random()
        if door < 0.15:  # an address, Italian form: 'via Roma 12'
            name = f"{name} {rng.randint(1, 200)}"
        elif door < 0.2:  # English form: '12 via Roma ... has no water'
            messages.append(f"No water at {rng.randint(1, 200)} {name}{town.replace(' a ', ', ')} since this morning")
            continue
        messages.append(f"{name}{town} senza acqua da stamattina")
    messages += [f"non c'è acqua a {rng.choice(TOWNS)}" for _ in range(args.messages // 10)]
    messages += places_messages(gazetteer, rng, args.messages // 10)
    messages += ["quanto costa la bolletta?"] * (args.messages // 20)
    times, kinds = [], {"address": 0, "street": 0, "municipality": 0, "district": 0, "service_point": 0, "none": 0}
    for text in messages:
        started = time.perf_counter()
        found = gazetteer.subjects(text)
        times.append((time.perf_counter() - started) * 1000)
        kinds[str(found[0].kind) if found else "none"] += 1
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"streets={len(gazetteer.streets)} areas={len(gazetteer.places.areas)} "
          f"service_points={len(gazetteer.places.points)} messages={len(messages)} median_ms={statistics.median(times):.3f} "
          f"p99_ms={p99:.3f} found={kinds} load={os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
