"""Agents' corrections of the router, stored as labelled examples and read back as JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session

from bot.domain import Category, Decision, Intent
from bot.errors import StorageError
from bot.privacy.pii import redact
from bot.subjects import TRANSIT_KINDS, Subject, transit_subjects
from storage.db import session_scope
from storage.models import Case, Correction, Message, ProblemRecord
from storage.problems import record_problems

#: Intents whose correct answer may be posted without a person looking first.
AUTO_OK_INTENTS = frozenset({Intent.STATUS, Intent.FAQ, Intent.FEEDBACK})


def correction_label(
    *,
    lang: str,
    intent: str,
    routes: list[str],
    stops: list[str],
    faq_id: str | None,
    alert_ids: list[str],
    category: str | None,
    categories: Collection[str] = tuple(Category),
    places: Sequence[Subject] | None = None,
    service: str | None = None,
) -> dict[str, Any]:
    """A label in the shape of the evaluation set (``dev.jsonl``), validated; ``categories`` are those of the
    message's service's domain (transit's by default). ``places`` (streets, areas, service points, addresses,
    already checked against the service's gazetteer) are kept as subject keys (``places``, as a labelled file
    has them) and whole (``place_subjects``); ``service`` is the service the message belongs to, when corrected."""
    if intent not in set(Intent):
        msg = f"correction: unknown intent {intent!r}; expected one of {', '.join(Intent)}"
        raise StorageError(msg)
    if category and category not in set(categories):
        msg = f"correction: unknown category {category!r}; expected one of {', '.join(categories)}"
        raise StorageError(msg)
    parsed_intent = Intent(intent)
    parsed_category = category or None
    return {
        "lang": lang,
        "intent": str(parsed_intent),
        "routes": routes,
        "stops": [s.upper() for s in stops],
        "faq_id": faq_id if parsed_intent == Intent.FAQ else None,
        "alert_ids": alert_ids,
        "category": str(parsed_category) if parsed_category and parsed_intent == Intent.COMPLAINT else None,
        "auto_ok": parsed_intent in AUTO_OK_INTENTS,
        **({"places": [p.key for p in places], "place_subjects": [p.as_dict() for p in places]}
           if places is not None else {}),
        **({"service": service} if service else {}),
    }


def corrected_subjects(before: dict[str, Any], merged: dict[str, Any],
                       places: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The subjects after a correction: the corrected lines and stops, then the corrected places (streets,
    areas, service points, addresses) or, when the correction leaves them, the router's as they were."""
    lines_and_stops = transit_subjects(merged.get("routes") or (), merged.get("stops") or (), merged.get("stop_ids") or ())
    others = places if places is not None else [
        s for s in before.get("subjects") or () if s.get("kind") not in TRANSIT_KINDS]
    return [*(s.as_dict() for s in lines_and_stops), *others]


#: Label keys that are not decision fields: kept with the correction, never merged into the decision.
_LABEL_ONLY = frozenset({"auto_ok", "places", "place_subjects"})


def record_correction(
    engine: Engine, message_id: int, agent: str, label: dict[str, Any], *, at: datetime
) -> int:
    """Store ``label`` for the message, apply it to the message and redo its problem records."""
    with session_scope(engine) as session:
        row = session.get(Message, message_id, with_for_update=True)
        if row is None:
            msg = f"message {message_id} does not exist"
            raise StorageError(msg)
        before = dict(row.decision or {})
        correction = Correction(
            message_id=message_id, agent=agent, label={**label, "router": before}, at=at
        )
        session.add(correction)
        merged = {**before, **{k: v for k, v in label.items() if k not in _LABEL_ONLY}}
        if list(before.get("stops") or []) != list(label.get("stops") or []):
            merged["stop_ids"] = []  # the router's stop ids belong to the stops it found
        if "subjects" not in label:
            merged["subjects"] = corrected_subjects(before, merged, label.get("place_subjects"))
        if label.get("service"):  # the places kept from the router belong to the corrected service too
            merged["subjects"] = [s if s.get("kind") in TRANSIT_KINDS else {**s, "service": label["service"]}
                                  for s in merged["subjects"]]
        decision = Decision.from_dict(merged)
        row.decision = {**merged, "corrected_by": agent}
        row.lang = decision.lang
        row.intent = str(decision.intent)
        row.faq_id = decision.faq_id
        row.category = str(decision.category) if decision.category else None
        if label.get("service") and label["service"] != row.service:  # the message, its case and its records
            row.service = str(label["service"])
            if row.case_id is not None:
                session.execute(update(Case).where(Case.id == row.case_id).values(service=row.service))
        session.add(row)
        session.execute(delete(ProblemRecord).where(ProblemRecord.message_id == message_id))
        record_problems(session, row, decision, at=row.received_at)
        session.flush()
        assert correction.id is not None
        return correction.id


#: The complaint categories the reader learns (transit's): a correction naming another domain's category (a water
#: leak) keeps its intent for the reader and leaves its category out, so retraining never meets an unknown one.
READER_CATEGORIES = frozenset(str(c) for c in Category)


def labelled_examples(engine: Engine) -> Iterator[dict[str, Any]]:
    """Each corrected message once (its latest correction), in the evaluation set's shape (categories the reader
    learns only; ``service`` says whose message it was)."""
    with Session(engine) as session:
        rows = session.execute(
            select(Correction, Message)
            .join(Message, Message.id == Correction.message_id)
            .order_by(Correction.message_id, Correction.id)
        ).all()
    latest: dict[int, tuple[Correction, Message]] = {}
    for correction, message in rows:
        latest[message.id or 0] = (correction, message)
    for correction, message in latest.values():
        label = correction.label
        yield {
            "id": f"correction-{correction.id}",
            "channel": message.channel,
            "text": redact(message.text),
            "lang": label.get("lang"),
            "intent": label.get("intent"),
            "routes": label.get("routes", []),
            "stops": label.get("stops", []),
            "faq_id": label.get("faq_id"),
            "alert_ids": label.get("alert_ids", []),
            "category": label.get("category") if label.get("category") in READER_CATEGORIES else None,
            "auto_ok": label.get("auto_ok", False),
            "service": message.service,
            "corrected_by": correction.agent,
            **({"places": label["places"]} if "places" in label else {}),
        }


def export_corrections(engine: Engine, out: TextIO) -> int:
    """Write the labelled examples as JSON Lines; return how many."""
    count = 0
    for example in labelled_examples(engine):
        out.write(json.dumps(example, ensure_ascii=False) + "\n")
        count += 1
    return count
