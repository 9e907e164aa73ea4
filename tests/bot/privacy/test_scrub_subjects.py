"""An anonymised message keeps what it was about: its lines and stops, and its streets, areas and service points,
but never an address."""

from __future__ import annotations

from bot.privacy.scrub import kept_decision

STREET = {"kind": "street", "id": "072006:via argiro", "label": "Via Argiro, Bari", "service": "water"}
FOUNTAIN = {"kind": "service_point", "id": "FONT-BA-UMBERTO", "label": "Fontanella di piazza Umberto I, Bari"}
ADDRESS = {"kind": "address", "id": "072006:via argiro:12", "label": "Via Argiro 12, Bari"}


def test_places_are_kept_and_addresses_dropped() -> None:
    decision = {"intent": "complaint", "routes": [], "reasons": ["quoted text"],
                "subjects": [STREET, FOUNTAIN, ADDRESS]}
    assert kept_decision(decision) == {"intent": "complaint", "routes": [], "subjects": [STREET, FOUNTAIN]}


def test_a_decision_without_subjects_gains_none() -> None:
    assert kept_decision({"intent": "faq", "faq_id": "fares"}) == {"intent": "faq", "faq_id": "fares"}


def test_an_anonymised_message_loses_its_address_record_and_keeps_its_street(engine) -> None:  # noqa: ANN001
    from datetime import datetime, timezone

    from sqlalchemy import select
    from sqlmodel import Session

    from bot.privacy.scrub import anonymise_messages
    from bot.subjects import Subject
    from storage.models import ProblemRecord
    from tests.bot.insight.scenario import Writer

    at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    w = Writer(engine)
    w.case(1, "web", at)
    w.message(1, 1, "web", at, "sent", service="water")
    for subject in (Subject.from_dict(ADDRESS), Subject.from_dict(STREET)):
        w.problem(1, "web", at, subject=subject, category="outage", service="water")
    w.commit()
    with Session(engine) as session:
        anonymise_messages(session, [1])
        session.commit()
    with engine.connect() as conn:
        kinds = conn.execute(select(ProblemRecord.subject_kind, ProblemRecord.subject_id)).all()
    assert kinds == [("street", "072006:via argiro")]
