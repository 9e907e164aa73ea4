"""On a desk of several services, each message's problem records name its subjects with their service
(a street for water, a line for buses), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Application
from storage.db import session_scope
from storage.models import ProblemRecord
from tests.bot.services.test_stored_service import _route_all, _send, app  # noqa: F401  (the city's application)


def test_a_water_report_names_its_street_and_a_bus_report_its_line(app: Application) -> None:  # noqa: F811
    water = _send(app, "perdita d'acqua in via Argiro a Bari da stamattina", "a")
    bus = _send(app, "il 64 è in ritardo di mezz'ora, vergognoso", "b")
    _route_all(app)
    with session_scope(app.engine) as session:
        records = session.scalars(select(ProblemRecord).order_by(ProblemRecord.id)).all()
        found = {(r.message_id, r.service, r.subject_kind, r.subject_id, r.subject_label) for r in records}
    assert (water, "water", "street", "072006:via argiro", "Via Argiro, Bari") in found
    assert (bus, "transit", "line", "64", None) in found
