"""Which part of the answers the reader posts alone is wrong, on writers it never trained on, file by file.

``python bench/reader_errors.py [--target 0.985] [--readings FILE.npz] [--lexical-faq] [--output FILE.json]
[--decisions FILE.jsonl] [--show N]``

Reads the labelled training files (:func:`bot.reading.training.default_training_files`: the repository's training
files, the labelled test sets beside the router's tests and the shared dev set; never a sealed set, never a
benchmark) the way the retrain gate's split side does (:func:`bot.reading.left_out.split_left_out`): the danger part
is the model in service's recipe fitted without the message's writer (its danger decisions, its language head),
the calm intents the model in service's calm recipe fitted without the writer (the files ``writerN_*`` are one
writer and left out together; every other file is a writer of its own). The router then decides each message, its
FAQ entry chosen with prototypes built from the other writers' labelled messages (``--lexical-faq``: by the lexical
score alone, as the gate does), its confidence from a calibrator fitted on the other writers, and posts it alone at
the threshold chosen on the other writers' confidences for ``--target`` (:meth:`GroupConfidences.posted`).

Of the answers posted alone, the wrong ones are broken down by the part that is wrong (intent, routes, stops, FAQ
entry, alerts, language, or every part right but ``auto_ok`` false), file by file and pooled; of the right answers
left to a person, those just under the threshold, by the confidence facts they fall short on. The readings depend
only on the data and the model in service: ``--readings`` keeps them between runs, so a rule change is measured
by routing again (a minute) rather than fitting again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import ENCODER_CACHE, SHARED, encoder_vectors, eval_knowledge, eval_now, put_figures  # noqa: E402
from bot.evaluate import Labelled, Outcome  # noqa: E402
from bot.reading.calm import danger_recipe  # noqa: E402
from bot.reading.faq_choice import FaqPrototypes, build_prototypes  # noqa: E402
from bot.reading.left_out import (  # noqa: E402
    GroupConfidences,
    GroupReadings,
    calm_readings,
    danger_decisions,
    group_confidences,
    group_readings,
)
from bot.reading.model import ReaderModel  # noqa: E402
from bot.reading.training import (  # noqa: E402
    default_training_files,
    encode_all,
    read_grouped,
    recipe_of,
    writer_of,
)

#: the parts of an answer, in the order a wrong answer is charged to them
PARTS = ("intent", "routes", "stops", "faq_id", "alert_ids", "lang", "auto_ok")
#: the settings that make an intent head: two recipes alike in these fit the same head on the same messages
SAME_HEAD = ("epochs", "l2", "vocabulary", "seed")
#: how far under its threshold a right answer counts as just under it
NEAR = 0.15


#: the parts of an answer, in the order they are reported (the names of ``Outcome.wrong_fields``)
ANSWER_PARTS = ("intent", "routes", "stops", "faq_id", "alert_ids", "lang")


def wrong_parts(outcome: Outcome) -> list[str]:
    """The parts of an answer posted alone that make it wrong (``auto_ok``: all right, but not to be posted alone)."""
    found = set(outcome.wrong_fields())
    return [part for part in ANSWER_PARTS if part in found] + ([] if outcome.gold.auto_ok else ["auto_ok"])


def readings_of(examples: list[Labelled], writers: list[str], emb: np.ndarray, service: ReaderModel,
                cache: Path | None) -> tuple[GroupReadings, np.ndarray]:
    """The danger part's and the calm heads' readings left out writer by writer, and which messages escalate."""
    key = hashlib.sha1(json.dumps([service.version, [e.text for e in examples], writers]).encode()).hexdigest()[:16]
    if cache is not None and cache.exists():
        with np.load(cache) as data:
            if str(data["key"]) == key:
                return GroupReadings(data["intent"], data["danger"], data["calm"]), data["escalated"]
    say = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    danger_params = danger_recipe(service)
    readings = group_readings(examples, writers, emb, danger_params, progress=say)
    escalated = danger_decisions(readings, examples, writers, emb, danger_params, service)
    calm_params = recipe_of(service)
    if all(getattr(calm_params, k) == getattr(danger_params, k) for k in SAME_HEAD):
        calm = readings.intent  # the same intent head fitted on the same messages: fitted once
    else:
        calm = calm_readings(examples, writers, emb, calm_params, progress=say)
    if cache is not None:
        np.savez(cache, key=np.array(key), intent=readings.intent, danger=readings.danger, calm=calm,
                 escalated=escalated)
    return replace(readings, calm=calm), escalated


def left_out_prototypes(examples: list[Labelled], writers: list[str], emb: np.ndarray, knowledge: Any
                        ) -> dict[str, FaqPrototypes]:
    """Each writer's FAQ prototypes, built from the other writers' labelled messages and the FAQ's questions."""
    entries = knowledge.faq.entries
    texts = [(n, q) for n, entry in enumerate(entries) for qs in entry.questions.values() for q in qs]
    vectors = encode_all([q for _, q in texts])
    owners = np.array([n for n, _ in texts], dtype=np.intp)
    group = np.array(writers)
    out = {}
    for name in dict.fromkeys(writers):
        rows = np.nonzero(group != name)[0]
        out[name] = build_prototypes(entries, vectors, owners, emb[rows], [examples[i].faq_id for i in rows])
    return out


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def breakdown(outcomes: list[Outcome], posted: np.ndarray, conf: GroupConfidences) -> dict[str, Any]:
    """Posted, wrong, precision, coverage and the wrong parts of the messages ``outcomes`` (indices into ``conf``)."""
    judged = [o.answer_judged for o in outcomes]
    right = [o.gold.auto_ok and o.answer_right for o in outcomes]
    n_posted = int(sum(p and j for p, j in zip(posted, judged)))
    wrong = [i for i, o in enumerate(outcomes) if posted[i] and judged[i] and not right[i]]
    answerable = sum(o.gold.auto_ok for o in outcomes)
    parts = Counter(p for i in wrong for p in wrong_parts(outcomes[i]))
    alone = Counter("+".join(wrong_parts(outcomes[i])) for i in wrong)
    by_intent = Counter(f"{outcomes[i].gold.intent}->{outcomes[i].decision.intent}" for i in wrong)
    return {
        "messages": len(outcomes), "answerable": answerable, "posted": n_posted,
        "posted_unjudged": int(sum(p and not j for p, j in zip(posted, judged))),
        "wrong": len(wrong), "precision": _share(n_posted - len(wrong), n_posted),
        "coverage": _share(n_posted - len(wrong), answerable),
        "wrong_parts": dict(parts.most_common()), "wrong_combinations": dict(alone.most_common()),
        "wrong_gold_to_decided": dict(by_intent.most_common()),
    }


def blocked(outcomes: list[Outcome], conf: GroupConfidences, posted: np.ndarray, limit: dict[str, float],
            features: tuple[str, ...]) -> dict[str, Any]:
    """The right answers left to a person: how many, by intent and how far under the threshold, and, of those
    just under it (within :data:`NEAR`), the confidence facts they fall short on against the right answers posted."""
    at = np.array([limit[g] for g in conf.groups.tolist()])
    right_left = conf.candidate & conf.served & conf.right.astype(bool) & ~posted
    right_posted = posted & conf.right.astype(bool)
    near = right_left & (conf.confidence >= at - NEAR)
    typical = np.median(conf.facts[right_posted], axis=0) if right_posted.any() else np.zeros(len(features))
    short = Counter()
    for i in np.nonzero(near)[0]:
        for k, name in enumerate(features):
            if name == "danger":
                if conf.facts[i, k] > max(typical[k], 0.0) + 0.05:
                    short[f"{name} higher"] += 1
            elif conf.facts[i, k] < typical[k] - 0.05:
                short[f"{name} lower"] += 1
    return {
        "right_left_to_a_person": int(right_left.sum()),
        "by_intent": dict(Counter(str(o.decision.intent) for o, r in zip(outcomes, right_left) if r).most_common()),
        "not_served_language": int((conf.candidate & conf.right.astype(bool) & ~conf.served).sum()),
        f"within_{NEAR}_under": int(near.sum()),
        "near_by_intent": dict(Counter(str(o.decision.intent) for o, r in zip(outcomes, near) if r).most_common()),
        "near_short_on": dict(short.most_common()),
        "facts_median_posted_right": {n: round(float(v), 3) for n, v in zip(features, typical)},
        "facts_median_near": {n: round(float(v), 3) for n, v in zip(features, np.median(conf.facts[near], axis=0))}
        if near.any() else {},
    }


def main() -> int:
    """Read every training file left out writer by writer; print the breakdown as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", type=float, default=None, help="precision target (default: the model's)")
    parser.add_argument("--cache", default=ENCODER_CACHE, help="where encoder vectors are kept")
    parser.add_argument("--readings", help="where the left-out readings are kept between runs (.npz)")
    parser.add_argument("--lexical-faq", action="store_true", help="FAQ entry by the lexical score alone")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    parser.add_argument("--decisions", help="write each message's decision, gold and posting to this JSON Lines file")
    args = parser.parse_args()
    started = time.perf_counter()
    now = eval_now()
    knowledge = eval_knowledge(now)
    paths = default_training_files(SHARED)
    examples, files, _ = read_grouped(paths)
    writers = [writer_of(f) or f for f in files]
    emb = encoder_vectors([e.text for e in examples], Path(args.cache))
    service = ReaderModel.load()
    params = recipe_of(service)
    target = args.target or params.auto_precision_target
    readings, escalated = readings_of(examples, writers, emb, service, Path(args.readings) if args.readings else None)
    prototypes = None if args.lexical_faq else left_out_prototypes(examples, writers, emb, knowledge)
    conf = group_confidences(readings, examples, writers, emb, params, knowledge, now, service, in_danger=escalated,
                             faq_prototypes=prototypes)
    posted = conf.posted(target)
    limit = conf.thresholds(target)
    outcomes = [Outcome(e, d) for e, d in zip(examples, conf.decisions)]
    per_file = {}
    for name in dict.fromkeys(files):
        idx = [i for i, f in enumerate(files) if f == name]
        per_file[name] = breakdown([outcomes[i] for i in idx], posted[idx], conf)
    figures = {
        "model": service.version, "target": target, "files": len(set(files)), "writers": len(set(writers)),
        "messages": len(examples),
        "faq_choice": "lexical score alone" if args.lexical_faq
        else "lexical score and prototypes built from the other writers' labelled messages",
        "left_out_by": "writer (files writerN_* together), danger and calm parts alike",
        "pooled": breakdown(outcomes, posted, conf),
        "blocked": blocked(outcomes, conf, posted, limit, params.confidence_features),
        "thresholds": {k: round(v, 4) for k, v in limit.items()},
        "per_file": per_file,
        "seconds": round(time.perf_counter() - started),
    }
    if args.decisions:
        with open(args.decisions, "w", encoding="utf-8") as out:
            for i, (o, f) in enumerate(zip(outcomes, files)):
                d, g = o.decision, o.gold
                out.write(json.dumps({
                    "file": f, "id": g.id, "text": g.text, "posted": bool(posted[i]),
                    "judged": o.answer_judged, "right": bool(g.auto_ok and o.answer_right),
                    "confidence": round(float(conf.confidence[i]), 4), "threshold": round(limit[writers[i]], 4),
                    "wrong": wrong_parts(o), "gold": {"intent": g.intent, "routes": sorted(g.routes),
                                                      "stops": sorted(g.stops), "faq_id": g.faq_id,
                                                      "alert_ids": None if g.alert_ids is None else sorted(g.alert_ids),
                                                      "lang": g.lang, "auto_ok": g.auto_ok},
                    "decided": {"intent": str(d.intent), "routes": list(d.routes), "stops": list(d.stops),
                                "faq_id": d.faq_id, "alert_ids": list(d.alert_ids), "lang": d.lang},
                    "facts": {n: round(float(v), 3) for n, v in zip(params.confidence_features, conf.facts[i])},
                }, ensure_ascii=False) + "\n")
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
