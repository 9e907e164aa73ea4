"""``sportello eval``: score the router on a labelled JSON Lines file with the shared metrics."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.domain import Action, Decision, Intent, is_watched
from bot.errors import SportelloError
from bot.subjects import TRANSIT_KINDS, SubjectKind, split_key

INTENTS: tuple[str, ...] = tuple(str(i) for i in Intent)
#: The kinds of place a labelled file may name in ``places`` (lines and stops have their own fields).
PLACE_KINDS: tuple[str, ...] = tuple(str(k) for k in SubjectKind if k not in TRANSIT_KINDS)


class EvaluationError(SportelloError):
    """The labelled file cannot be read or scored."""


@dataclass(frozen=True)
class Labelled:
    """One labelled message of an evaluation file (the fields of ``shared/eval/README.md``)."""

    id: str
    text: str
    channel: str | None
    lang: str
    intent: str
    routes: frozenset[str]
    stops: frozenset[str]
    faq_id: str | None
    #: The alerts a right reply cites; None when the file does not label alerts (then whether the alerts cited
    #: are right is not judged, and no alert figure counts the message).
    alert_ids: frozenset[str] | None
    category: str | None
    auto_ok: bool
    #: The places it names as subject keys (``street:072006:via argiro``, ``address:...:12``); None when the
    #: file does not label places (then no place figure counts it).
    places: frozenset[str] | None = None
    #: A calm message written beside danger scenes to look like one (the past, figurative speech, a rules
    #: question): the reader's training weighs it as a hard negative (``knowledge/training/README.md``).
    lookalike: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Labelled:
        """A labelled message from its JSON object (``places``: a list of ``kind:id`` keys of place kinds)."""
        places = data.get("places")
        alert_ids = data.get("alert_ids", ())  # null: the file does not label alerts
        if places is not None:
            for key in places:
                kind, _ident = split_key(str(key))  # ValueError for anything but kind:id
                if str(kind) not in PLACE_KINDS:
                    msg = f"places: {key!r} is not a place (kinds: {', '.join(PLACE_KINDS)})"
                    raise ValueError(msg)
        return cls(
            id=str(data.get("id")),
            text=str(data["text"]),
            channel=data.get("channel"),
            lang=str(data.get("lang") or "it"),
            intent=str(data["intent"]),
            routes=frozenset(data.get("routes") or ()),
            stops=frozenset(data.get("stops") or ()),
            faq_id=data.get("faq_id"),
            alert_ids=None if alert_ids is None else frozenset(alert_ids),
            category=data.get("category"),
            auto_ok=bool(data.get("auto_ok")),
            places=frozenset(map(str, places)) if places is not None else None,
            lookalike=bool(data.get("lookalike", False)),
        )


@dataclass(frozen=True)
class Outcome:
    """A labelled message beside what the router (and the policy) decided."""

    gold: Labelled
    decision: Decision

    @property
    def answer_right(self) -> bool:
        """Intent, routes, FAQ id and alerts all as labelled: the reply would be right."""
        d, g = self.decision, self.gold
        return (
            str(d.intent) == g.intent
            and frozenset(d.routes) == g.routes
            and d.faq_id == g.faq_id
            and (g.alert_ids is None or frozenset(d.alert_ids) == g.alert_ids)
        )

    @property
    def answer_judged(self) -> bool:
        """Whether the labels can tell if the reply is right: not when the file does not label alerts (``alert_ids``
        null) and the reply draws on alerts (a line's status, or any alert cited). Training neither fits the
        confidence calibrator on such a reply nor chooses the auto-reply threshold on it, and the retrain gate
        does not count it: judged right, it would flatter both."""
        d, g = self.decision, self.gold
        return g.alert_ids is not None or (str(d.intent) != "status" and not d.alert_ids)

    @property
    def places(self) -> frozenset[str]:
        """The places the decision names, as subject keys (its subjects but lines and stops)."""
        return frozenset(s.key for s in self.decision.subjects if str(s.kind) in PLACE_KINDS)

    @property
    def lang_right(self) -> bool:
        """The language as labelled: the reply's (``shared/eval/README.md``), or, for a message in a language the desk
        does not serve, the one the decision marks it as written in (``written_lang``): writers label such a message
        with its own code (``"es"``) or with the reply's language, and either is right."""
        return self.gold.lang in (self.decision.lang, self.decision.written_lang)

    @property
    def auto(self) -> bool:
        """Whether the reply would be posted with no person looking."""
        return self.decision.action == Action.AUTO

    def wrong_fields(self) -> list[str]:
        """The names of the fields the router got wrong (auto-posting a non-auto message counts)."""
        d, g = self.decision, self.gold
        wrong = []
        if not self.lang_right:
            wrong.append("lang")
        if str(d.intent) != g.intent:
            wrong.append("intent")
        if frozenset(d.routes) != g.routes:
            wrong.append("routes")
        if frozenset(d.stops) != g.stops:
            wrong.append("stops")
        if d.faq_id != g.faq_id:
            wrong.append("faq_id")
        if g.alert_ids is not None and frozenset(d.alert_ids) != g.alert_ids:
            wrong.append("alert_ids")
        if g.places is not None and self.places != g.places:
            wrong.append("places")
        if g.intent == "complaint" and (str(d.category) if d.category else None) != g.category:
            wrong.append("category")
        if self.auto and not (g.auto_ok and self.answer_right):
            wrong.append("auto")
        if g.intent == "emergency" and d.action != Action.ESCALATE:
            wrong.append("not escalated")
        return wrong


@dataclass
class Scores:
    """The metrics of ``shared/eval/README.md`` ("How a router is scored"), plus a few diagnostics."""

    messages: int = 0
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    per_intent: dict[str, dict[str, float | int]] = field(default_factory=dict)
    #: Per kind of place (street, address, ...): support, micro precision and recall; empty when no message
    #: of the file labels places.
    per_place_kind: dict[str, dict[str, float | int | None]] = field(default_factory=dict)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def score(outcomes: Sequence[Outcome], *, watch: bool = False) -> Scores:
    """Every metric over the outcomes of one labelled file; with ``watch`` (the model has a watch band), also
    ``watched_recall`` (emergencies escalated or in the band) and ``watch_rate`` (other messages in the band)."""
    n = len(outcomes)
    result = Scores(messages=n)
    m = result.metrics
    m["intent_accuracy"] = _ratio(sum(str(o.decision.intent) == o.gold.intent for o in outcomes), n)
    f1s = []
    for intent in INTENTS:
        tp = sum(str(o.decision.intent) == intent and o.gold.intent == intent for o in outcomes)
        predicted = sum(str(o.decision.intent) == intent for o in outcomes)
        support = sum(o.gold.intent == intent for o in outcomes)
        if not support and not predicted:
            continue
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        result.per_intent[intent] = {
            "support": support, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)
        }
    m["intent_macro_f1"] = sum(f1s) / len(f1s) if f1s else None
    m["lang_accuracy"] = _ratio(sum(o.lang_right for o in outcomes), n)

    m["route_exact_set"] = _ratio(sum(frozenset(o.decision.routes) == o.gold.routes for o in outcomes), n)
    tp = sum(len(frozenset(o.decision.routes) & o.gold.routes) for o in outcomes)
    m["route_precision"] = _ratio(tp, sum(len(frozenset(o.decision.routes)) for o in outcomes))
    m["route_recall"] = _ratio(tp, sum(len(o.gold.routes) for o in outcomes))
    m["stop_exact_set"] = _ratio(sum(frozenset(o.decision.stops) == o.gold.stops for o in outcomes), n)

    faq = [o for o in outcomes if o.gold.intent == "faq"]
    m["faq_top1"] = _ratio(sum(o.decision.faq_id == o.gold.faq_id for o in faq), len(faq))

    cited = [(o, o.gold.alert_ids) for o in outcomes if o.gold.alert_ids]
    tp = sum(len(frozenset(o.decision.alert_ids) & gold) for o, gold in cited)
    m["alert_precision"] = _ratio(tp, sum(len(frozenset(o.decision.alert_ids)) for o, _ in cited))
    m["alert_recall"] = _ratio(tp, sum(len(gold) for _, gold in cited))
    empty = [o for o in outcomes if o.gold.alert_ids is not None and not o.gold.alert_ids]
    m["false_alert_messages"] = sum(bool(o.decision.alert_ids) for o in empty)
    m["false_alerts_cited"] = sum(len(o.decision.alert_ids) for o in empty)

    complaints = [o for o in outcomes if o.gold.intent == "complaint"]
    m["category_accuracy"] = _ratio(
        sum((str(o.decision.category) if o.decision.category else None) == o.gold.category for o in complaints),
        len(complaints),
    )

    auto = [o for o in outcomes if o.auto]
    good_auto = sum(o.gold.auto_ok and o.answer_right for o in auto)
    m["auto_posted"] = len(auto)
    m["auto_precision"] = _ratio(good_auto, len(auto))
    m["auto_coverage"] = _ratio(good_auto, sum(o.gold.auto_ok for o in outcomes))

    emergencies = [o for o in outcomes if o.gold.intent == "emergency"]
    m["emergency_recall"] = _ratio(
        sum(o.decision.action == Action.ESCALATE for o in emergencies), len(emergencies)
    )
    if watch:
        m["watched_recall"] = _ratio(
            sum(o.decision.action == Action.ESCALATE or is_watched(o.decision) for o in emergencies), len(emergencies))
        others = [o for o in outcomes if o.gold.intent != "emergency"]
        m["watch_rate"] = _ratio(sum(is_watched(o.decision) for o in others), len(others))
    _score_places(outcomes, result)
    return result


def _score_places(outcomes: Sequence[Outcome], result: Scores) -> None:
    """Place figures over the messages whose file labels places (none, and no key, when none does): exact-set
    accuracy, micro precision and recall in all and per kind."""
    labelled = [o for o in outcomes if o.gold.places is not None]
    if not labelled:
        return
    m = result.metrics
    m["place_messages"] = len(labelled)
    m["place_exact_set"] = _ratio(sum(o.places == o.gold.places for o in labelled), len(labelled))
    pairs = [(o.places, o.gold.places or frozenset()) for o in labelled]
    tp = sum(len(got & gold) for got, gold in pairs)
    m["place_precision"] = _ratio(tp, sum(len(got) for got, _ in pairs))
    m["place_recall"] = _ratio(tp, sum(len(gold) for _, gold in pairs))
    for kind in PLACE_KINDS:
        mine = [(_of_kind(got, kind), _of_kind(gold, kind)) for got, gold in pairs]
        support, predicted = sum(len(g) for _, g in mine), sum(len(p) for p, _ in mine)
        if not support and not predicted:
            continue
        hits = sum(len(p & g) for p, g in mine)
        precision, recall = _ratio(hits, predicted), _ratio(hits, support)
        result.per_place_kind[kind] = {"support": support, "predicted": predicted,
                                       "precision": None if precision is None else round(precision, 4),
                                       "recall": None if recall is None else round(recall, 4)}


def _of_kind(keys: frozenset[str], kind: str) -> frozenset[str]:
    return frozenset(k for k in keys if k.partition(":")[0] == kind)


# The metrics of the table, in order, with their labels and the targets of the issue.
TABLE: tuple[tuple[str, str, float | None], ...] = (
    ("intent_accuracy", "intent accuracy", 0.90),
    ("intent_macro_f1", "intent macro-F1", None),
    ("lang_accuracy", "language accuracy", None),
    ("route_exact_set", "route exact-set accuracy", 0.95),
    ("route_precision", "route precision (micro)", None),
    ("route_recall", "route recall (micro)", None),
    ("stop_exact_set", "stop exact-set accuracy", None),
    ("faq_top1", "FAQ top-1 accuracy", 0.90),
    ("alert_precision", "alert precision", None),
    ("alert_recall", "alert recall", None),
    ("false_alert_messages", "messages citing a false alert", None),
    ("category_accuracy", "complaint category accuracy", None),
    ("auto_posted", "messages auto-posted", None),
    ("auto_precision", "auto-reply precision", 0.98),
    ("auto_coverage", "auto-reply coverage", 0.70),
    ("emergency_recall", "emergency recall", 1.0),
)
#: Shown after :data:`TABLE` only when the model has a watch band (possible danger, held for a person at once).
WATCH_TABLE: tuple[tuple[str, str, float | None], ...] = (
    ("watched_recall", "emergencies escalated or watched", 1.0),
    ("watch_rate", "other messages watched", None),
)
#: Shown after :data:`TABLE` only when the file labels places.
PLACE_TABLE: tuple[tuple[str, str, float | None], ...] = (
    ("place_messages", "messages labelling places", None),
    ("place_exact_set", "place exact-set accuracy", None),
    ("place_precision", "place precision (micro)", None),
    ("place_recall", "place recall (micro)", None),
)


def with_model(settings: Settings, model: str) -> Settings:
    """The same settings with the reader's model file replaced."""
    return settings.model_copy(update={"reader": settings.reader.model_copy(update={"model": model})})


def _shown(value: float | int | None) -> str:
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def render_table(scores: Scores, out: TextIO, previous: Scores | None = None) -> None:
    """The metrics as an aligned text table, with the targets (and a previous model's figures) beside them."""
    before = f" {'previous':>8}" if previous else ""
    out.write(f"{'metric':<32} {'value':>8}{before}  target\n")
    rows = TABLE + (WATCH_TABLE if "watch_rate" in scores.metrics else ())
    rows += PLACE_TABLE if "place_messages" in scores.metrics else ()
    for key, label, target in rows:
        value = scores.metrics.get(key)
        shown = _shown(value)
        if previous is not None:
            shown += f" {_shown(previous.metrics.get(key)):>8}"
        goal = ""
        if target is not None and isinstance(value, float):
            goal = f">= {target:.2f} " + ("ok" if value >= target - 1e-9 else "MISSED")
        out.write(f"{label:<32} {shown:>8}  {goal}\n".rstrip() + "\n")
    out.write(f"{'messages':<32} {scores.messages:>8}\n")
    out.write("\nper intent: " + ", ".join(
        f"{k} F1 {v['f1']:.2f} (n={v['support']})" for k, v in scores.per_intent.items()) + "\n")
    if scores.per_place_kind:
        out.write("per place kind: " + ", ".join(
            f"{k} P {_shown(v['precision'])} R {_shown(v['recall'])} (n={v['support']})"
            for k, v in scores.per_place_kind.items()) + "\n")


def render_mistakes(outcomes: Iterable[Outcome], out: TextIO) -> None:
    """Every message with a wrong field: the text, then gold versus predicted for each one."""
    for o in outcomes:
        wrong = o.wrong_fields()
        if not wrong:
            continue
        d, g = o.decision, o.gold
        gold = {
            "lang": g.lang, "intent": g.intent, "routes": sorted(g.routes), "stops": sorted(g.stops),
            "faq_id": g.faq_id, "alert_ids": sorted(g.alert_ids or ()), "category": g.category,
            "auto": g.auto_ok, "not escalated": "escalate", "places": sorted(g.places or ()),
        }
        got = {
            "lang": d.lang, "intent": str(d.intent), "routes": sorted(d.routes), "stops": sorted(d.stops),
            "faq_id": d.faq_id, "alert_ids": sorted(d.alert_ids),
            "category": str(d.category) if d.category else None,
            "auto": f"auto, confidence {d.confidence:.2f}", "not escalated": str(d.action),
            "places": sorted(o.places),
        }
        out.write(f"\n{g.id}: {g.text}\n")
        for name in wrong:
            out.write(f"  {name}: gold {gold[name]!r}  got {got[name]!r}\n")
        if d.reasons:
            out.write(f"  reasons: {'; '.join(d.reasons)}\n")


def watches(pipeline: Any) -> bool:
    """Whether the reader of ``pipeline`` (of any service, on a desk of several) has a watch band."""
    services = getattr(pipeline, "services", None)
    pipelines = [s.pipeline for s in services.values()] if isinstance(services, dict) else [pipeline]
    return any(getattr(p.router.model, "watch_thresholds", None) is not None for p in pipelines)


def read_labelled(path: str | Path) -> list[Labelled]:
    """The labelled messages of a JSON Lines file."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        msg = f"cannot read {path}: {exc}"
        raise EvaluationError(msg) from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(Labelled.from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            msg = f"{path}:{number}: not a labelled message: {exc}"
            raise EvaluationError(msg) from exc
    return records


def evaluate_command(args: argparse.Namespace, settings: Settings, stdout: TextIO) -> int:
    """Route every labelled message, print the metrics (table or JSON) and, if asked, the mistakes."""
    from bot.routing_cli import build_offline_pipeline

    labelled = read_labelled(args.file)
    if getattr(args, "model", None):
        settings = with_model(settings, args.model)
    pipeline = build_offline_pipeline(args, settings)
    outcomes = []
    for gold in labelled:
        decision, _draft = pipeline.decide_text(gold.text, channel=gold.channel)
        outcomes.append(Outcome(gold, decision))
    previous: Scores | None = None
    before = None
    if getattr(args, "previous", None):
        before = build_offline_pipeline(args, with_model(settings, args.previous))
    watch = watches(pipeline) or (before is not None and watches(before))
    scores = score(outcomes, watch=watch)
    if before is not None:
        previous = score([Outcome(g, before.decide_text(g.text, channel=g.channel)[0]) for g in labelled], watch=watch)
    if getattr(args, "json", False):
        payload: dict[str, Any] = {
            "messages": scores.messages,
            "metrics": {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.metrics.items()},
            "per_intent": scores.per_intent,
        }
        if scores.per_place_kind:
            payload["per_place_kind"] = scores.per_place_kind
        if previous is not None:
            payload["previous"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in previous.metrics.items()}
        if getattr(args, "mistakes", False):
            payload["mistakes"] = [
                {"id": o.gold.id, "wrong": o.wrong_fields(), "predicted": o.decision.as_dict()}
                for o in outcomes if o.wrong_fields()
            ]
        stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return 0
    render_table(scores, stdout, previous)
    if getattr(args, "mistakes", False):
        render_mistakes(outcomes, stdout)
    return 0
