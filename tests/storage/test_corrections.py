"""Agents' corrections: stored as labelled examples, applied to the message, exported as JSONL."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.domain import InboundMessage, MessageState
from bot.errors import StorageError
from storage.corrections import correction_label, export_corrections, record_correction
from storage.db import session_scope
from storage.models import ProblemRecord
from storage.queue import MessageQueue
from tests.conftest import EVAL, FixedClock


def _routed(queue: MessageQueue, clock: FixedClock) -> int:
    message_id = queue.enqueue(
        InboundMessage("x", "t1", "u1", "il 64 non passa da mezz'ora", clock(), thread_id="t1")
    )
    assert message_id is not None
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.intent, row.lang = "other", "it"
        row.decision = {"lang": "it", "intent": "other", "routes": [], "stops": [], "alert_ids": []}
        queue.move(session, row, MessageState.ROUTED)
    return message_id


def _label() -> dict:
    return correction_label(
        lang="it", intent="complaint", routes=["64"], stops=["largo argentina"],
        faq_id=None, alert_ids=[], category="delay",
    )


def test_a_correction_relabels_the_message_and_its_problem_records(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    record_correction(engine, message_id, "agent:anna", _label(), at=clock())
    row = queue.get(message_id)
    assert (row.intent, row.category) == ("complaint", "delay")
    with Session(engine) as session:
        problems = session.execute(select(ProblemRecord)).scalars().all()
    assert [(p.route_id, p.stop_name, p.category) for p in problems] == [
        ("64", None, "delay"), (None, "LARGO ARGENTINA", "delay")]


def test_a_correction_replaces_the_lines_and_stops_and_keeps_other_subjects(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    with session_scope(engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**row.decision, "routes": ["40"], "subjects": [
            {"kind": "line", "id": "40"}, {"kind": "street", "id": "via-nazionale", "label": "Via Nazionale"}]}
        session.add(row)
    record_correction(engine, message_id, "agent:anna", _label(), at=clock())
    with Session(engine) as session:
        problems = session.execute(select(ProblemRecord).order_by(ProblemRecord.id)).scalars().all()
    assert [(p.subject_kind, p.subject_id) for p in problems] == [
        ("line", "64"), ("stop", "LARGO ARGENTINA"), ("street", "via-nazionale")]


def test_export_writes_the_evaluation_sets_shape(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    record_correction(engine, message_id, "agent:anna", _label(), at=clock())
    out = io.StringIO()
    assert export_corrections(engine, out) == 1
    example = json.loads(out.getvalue())
    dev_keys = set(json.loads((EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0]))
    assert dev_keys <= set(example)
    assert example["text"] == "il 64 non passa da mezz'ora"
    assert (example["intent"], example["routes"], example["auto_ok"]) == ("complaint", ["64"], False)


def test_the_latest_correction_of_a_message_wins(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    record_correction(engine, message_id, "agent:anna", _label(), at=clock())
    faq = correction_label(
        lang="it", intent="faq", routes=[], stops=[], faq_id="tickets.price", alert_ids=[], category=None
    )
    record_correction(engine, message_id, "agent:sara", faq, at=clock())
    out = io.StringIO()
    export_corrections(engine, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(e["intent"], e["faq_id"], e["auto_ok"]) for e in lines] == [("faq", "tickets.price", True)]


def test_an_unknown_intent_is_refused() -> None:
    with pytest.raises(StorageError, match="intent"):
        correction_label(lang="it", intent="gossip", routes=[], stops=[], faq_id=None, alert_ids=[], category=None)


def test_another_domains_category_is_taken_when_it_is_the_messages_domains() -> None:
    from knowledge.domains.water import WaterCategory

    label = correction_label(lang="it", intent="complaint", routes=[], stops=[], faq_id=None, alert_ids=[],
                             category="leak", categories=tuple(WaterCategory))
    assert label["category"] == "leak"
    with pytest.raises(StorageError, match="category"):
        correction_label(lang="it", intent="complaint", routes=[], stops=[], faq_id=None, alert_ids=[],
                         category="leak")


def test_a_water_correction_reaches_the_reader_without_its_category(engine: Engine, clock: FixedClock) -> None:
    from bot.reading.model import CATEGORIES
    from knowledge.domains.water import WaterCategory
    from storage.corrections import READER_CATEGORIES, labelled_examples

    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    leak = correction_label(lang="it", intent="complaint", routes=[], stops=[], faq_id=None, alert_ids=[],
                            category="leak", categories=tuple(WaterCategory))
    record_correction(engine, message_id, "agent:anna", leak, at=clock())
    assert queue.get(message_id).category == "leak"
    [example] = labelled_examples(engine)
    assert (example["intent"], example["category"]) == ("complaint", None)
    assert READER_CATEGORIES <= set(CATEGORIES)  # every category the reader is given, it can learn


def _water_label(service: str | None = None) -> dict:
    from bot.subjects import Subject, SubjectKind
    from knowledge.domains import load_builtin_domains

    load_builtin_domains()  # waste's categories
    places = [Subject(SubjectKind.ADDRESS, "072006:via argiro:7", "Via Argiro 7, Bari", "water"),
              Subject(SubjectKind.STREET, "072006:via argiro", "Via Argiro, Bari", "water")]
    return correction_label(lang="it", intent="complaint", routes=[], stops=[], faq_id=None, alert_ids=[],
                            category="missed_collection", categories=("missed_collection", "other"),
                            places=places, service=service)


def test_a_correction_replaces_the_places_and_moves_the_service(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    with session_scope(engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**row.decision, "subjects": [
            {"kind": "street", "id": "072006:via sparano da bari", "label": "Via Sparano da Bari, Bari"}]}
        row.service = "water"
        session.add(row)
    record_correction(engine, message_id, "agent:anna", _water_label(service="waste"), at=clock())
    row = queue.get(message_id)
    assert row.service == "waste"
    with Session(engine) as session:
        problems = session.execute(select(ProblemRecord).order_by(ProblemRecord.id)).scalars().all()
    assert [(p.subject_kind, p.subject_id, p.service) for p in problems] == [
        ("address", "072006:via argiro:7", "waste"), ("street", "072006:via argiro", "waste")]
    from storage.models import Case

    with Session(engine) as session:
        assert session.get(Case, row.case_id).service == "waste"


def test_the_export_carries_the_places_and_the_service(engine: Engine, clock: FixedClock) -> None:
    from bot.evaluate import Labelled

    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    record_correction(engine, message_id, "agent:anna", _water_label(service="waste"), at=clock())
    out = io.StringIO()
    export_corrections(engine, out)
    example = json.loads(out.getvalue())
    assert example["places"] == ["address:072006:via argiro:7", "street:072006:via argiro"]
    assert example["service"] == "waste"
    assert Labelled.from_dict(example).places == frozenset(example["places"])  # the retrain reads it


def test_a_correction_without_places_keeps_the_routers(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = _routed(queue, clock)
    record_correction(engine, message_id, "agent:anna", _label(), at=clock())
    out = io.StringIO()
    export_corrections(engine, out)
    assert "places" not in json.loads(out.getvalue())
