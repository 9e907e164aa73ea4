"""The case view says why a message is an emergency when the reader did not read danger in it (issue 9), and marks
possible danger (the watch band)."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.domain import DangerCause, Priority
from storage.db import session_scope
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages


def test_the_case_view_says_a_message_in_an_unread_script_is_possible_danger(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add("ሰላም፣ ሜትሮ ዛሬ ይሰራል?", intent="emergency")
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**(row.decision or {}), "danger_cause": str(DangerCause.UNREAD_SCRIPT)}
    page = anna.get(f"/console/messages/{message_id}").text
    cause = page.split('id="danger-cause"')[1].split("</dd>")[0]
    assert "alfabeto che il lettore automatico non sa leggere" in cause  # anna reads the console in Italian


def test_the_case_view_of_an_emergency_the_reader_read_names_no_cause(
    anna: TestClient, messages: Messages
) -> None:
    message_id = messages.add("aiuto, un uomo è svenuto in metro a Termini", intent="emergency")
    assert 'id="danger-cause"' not in anna.get(f"/console/messages/{message_id}").text


def test_the_case_view_marks_a_watched_message_as_possible_danger(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add("mio figlio ha le labbra blu, è normale?", intent="other")
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**(row.decision or {}), "priority": str(Priority.WATCH)}
    page = anna.get(f"/console/messages/{message_id}").text
    assert "Possibile pericolo" in page.split('id="watch"')[0].rsplit("<dt>", 1)[1]
    assert "appena sotto la soglia delle emergenze" in page.split('id="watch"')[1].split("</dd>")[0]


def test_the_case_view_of_an_ordinary_message_shows_no_watch_mark(anna: TestClient, messages: Messages) -> None:
    assert 'id="watch"' not in anna.get(f"/console/messages/{messages.add('il 64 è in ritardo')}").text
