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
