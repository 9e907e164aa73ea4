"""What the reader benches share: where the data is, the evaluation's clock and knowledge, cached vectors, JSON out.

Nothing of ``bot`` is imported at module level, so that ``bench/reader_sets.py --code DIR`` can still put an
earlier checkout's ``bot`` first on the path before anything reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from knowledge.store import Knowledge

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SPORTELLO_SHARED") or REPO.parent / "shared")
#: Rome's stop names in other languages and scripts (GTFS translations.txt), beside the shared evaluation's feed
ROME_STOP_NAMES = REPO / "examples" / "rome" / "stop_names.txt"
#: the evaluation's fixed clock: the time of the shared evaluation feeds
NOW = "2026-11-27T08:30:00+01:00"
#: where the encoder vectors of the training texts are kept between runs
ENCODER_CACHE = "/tmp/sportello-reader-lofo-use.npz"


def eval_sources(now: str | None = None) -> SimpleNamespace:
    """The ``--gtfs/--alerts/--faq`` flags (and ``--now``) naming the shared evaluation's timetable, alerts and FAQ."""
    return SimpleNamespace(gtfs=str(SHARED / "eval" / "gtfs"), stop_names=str(ROME_STOP_NAMES),
                           alerts=str(SHARED / "eval" / "alerts.pb"), faq=[str(SHARED / "eval" / "faq")], now=now)


def eval_now() -> datetime:
    """:data:`NOW` as an aware datetime."""
    from bot.cli import parse_now

    now = parse_now(NOW)
    assert now is not None
    return now


def eval_knowledge(now: datetime) -> Knowledge:
    """The shared evaluation's knowledge read straight from its files, its clock stopped at ``now``."""
    from bot.config import Settings
    from bot.routing_cli import offline_knowledge

    return offline_knowledge(eval_sources(), Settings(), lambda: now)  # type: ignore[arg-type]


def cached_vectors(texts: Sequence[str], cache: Path, encode: Callable[[list[str]], np.ndarray], batch: int,
                   label: str = "vectors") -> np.ndarray:
    """``encode``'s vectors of ``texts``, read from ``cache`` where there and encoded ``batch`` at a time and added
    where not (one row per text, keyed by its hash)."""
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest()[:32] for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"]))
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        started, told = time.perf_counter(), 0
        for start in range(0, len(missing), batch):
            chunk = missing[start:start + batch]
            for i, row in zip(chunk, encode([texts[i] for i in chunk])):
                known[keys[i]] = row
            done = start + len(chunk)
            if done // 500 > told:
                told = done // 500
                seconds = time.perf_counter() - started
                print(f"{label}: {done}/{len(missing)} ({seconds:.0f} s)", file=sys.stderr, flush=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        names = sorted(known)
        np.savez(cache, keys=np.array(names), vectors=np.vstack([known[k] for k in names]))
    return np.vstack([known[k] for k in keys]).astype(np.float32)


def encoder_vectors(texts: Sequence[str], cache: Path) -> np.ndarray:
    """The reader's encoder vectors of ``texts``, kept in ``cache``."""
    from bot.reading.features import Encoder

    return cached_vectors(texts, cache, Encoder.encode, 64, "encoder")


def put_figures(figures: Any, output: str | None, ensure_ascii: bool = True) -> None:
    """Print the figures as JSON and, given ``output``, write them there too."""
    text = json.dumps(figures, indent=1, ensure_ascii=ensure_ascii)
    print(text)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")


def every_training_message() -> tuple[list[Any], list[str], list[str], Any]:
    """Every message of the repository's training files (each text once), the file it is kept from, its text and its
    encoder vector (the pass configured by default)."""
    from bot.reading.training import default_training_files, encode_all, read_grouped

    examples, groups, _ = read_grouped(default_training_files())
    texts = [e.text for e in examples]
    return examples, groups, texts, encode_all(texts)
