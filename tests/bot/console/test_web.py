"""The console over HTTP (Starlette TestClient on both databases): sessions, CSRF, roles, pages."""

from __future__ import annotations

from typing import Any

from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console import build_console
from bot.domain import MessageState
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.bot.console.conftest import PASSWORD, Messages, csrf_of, signed_in, token

XSS = '<script>alert("x")</script><img src=x onerror="alert(1)">'


def test_signed_out_visitor_is_sent_to_the_sign_in_page(web: Any) -> None:
    client = TestClient(web, follow_redirects=False)
    page = client.get("/console/")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/login")
    assert client.get("/console/api/queue").status_code == 401


def test_wrong_password_shows_the_form_again(web: Any, users: dict[str, str]) -> None:
    client = TestClient(web, follow_redirects=False)
    form = client.get("/console/login")
    response = client.post(
        "/console/login", data={"username": "anna", "password": "nope-nope", "csrf": csrf_of(form.text)}
    )
    assert response.status_code == 401
    assert "Nome utente o password non validi" in response.text


def test_session_cookie_is_http_only_and_same_site_lax(web: Any, users: dict[str, str]) -> None:
    client = TestClient(web, follow_redirects=False)
    form = client.get("/console/login")
    cookie = form.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie


def test_secure_cookies_setting_marks_the_cookie_secure(engine: Any, clock: Any) -> None:
    settings = Settings(web={"secret_key": "k", "secure_cookies": True})
    queue = MessageQueue(engine, clock=clock)
    app = build_web_app(
        settings, engine, queue, clock=clock,
        extra_routes=[Mount("/console", app=build_console(settings, engine, queue, clock=clock))],
    )
    cookie = TestClient(app, base_url="https://testserver").get("/console/login").headers["set-cookie"]
    assert "secure" in cookie.lower()


def test_post_without_csrf_token_is_refused(anna: TestClient, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    assert anna.post(f"/console/messages/{message_id}/approve").status_code == 403
    assert anna.post(f"/console/messages/{message_id}/approve", data={"csrf": "forged"}).status_code == 403
    assert queue.get(message_id).state == MessageState.AWAITING_REVIEW


def test_sign_in_without_csrf_token_is_refused(web: Any, users: dict[str, str]) -> None:
    client = TestClient(web, follow_redirects=False)
    response = client.post("/console/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 403


def test_queue_json_lists_what_waits(anna: TestClient, messages: Messages) -> None:
    messages.add("il 64 è in ritardo", ago_seconds=120)
    messages.add("aiuto", intent="emergency", state=MessageState.ESCALATED)
    data = anna.get("/console/api/queue").json()
    assert data["emergencies"] == 1
    assert [i["urgency"] for i in data["items"]] == ["emergency", "review"]
    assert data["items"][1]["waited_seconds"] == 120


def test_case_view_escapes_citizen_markup(anna: TestClient, messages: Messages) -> None:
    message_id = messages.add(XSS, draft=XSS)
    page = anna.get(f"/console/messages/{message_id}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_claiming_an_open_message_by_post_tells_the_second_agent(
    anna: TestClient, bruno: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add()
    anna.get(f"/console/messages/{message_id}")
    assert queue.get(message_id).claimed_by is None  # reading changes nothing
    claimed = anna.post(
        f"/console/messages/{message_id}/claim", data={"csrf": token(anna)}, headers={"Accept": "application/json"}
    )
    assert claimed.json()["ok"] is True
    page = bruno.get(f"/console/messages/{message_id}").text
    assert "anna is handling this message" in page
    refused = bruno.post(
        f"/console/messages/{message_id}/approve",
        data={"csrf": token(bruno)},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409
    assert refused.json()["holder"] == "anna"
    assert queue.get(message_id).claimed_by == "anna"


def test_approve_form_moves_the_message_and_returns_to_the_queue(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add()
    response = anna.post(f"/console/messages/{message_id}/approve", data={"csrf": token(anna)})
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    assert queue.get(message_id).state == MessageState.APPROVED
    assert "Risposta approvata" in anna.get("/console/").text


def test_send_form_sends_the_edited_text(anna: TestClient, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    anna.post(f"/console/messages/{message_id}/send", data={"csrf": token(anna), "text": "Nuovo testo"})
    row = queue.get(message_id)
    assert (row.state, row.draft) == (MessageState.EDITED, "Nuovo testo")


def test_correction_form_stores_a_labelled_example(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add(intent="other", routes=())
    anna.post(
        f"/console/messages/{message_id}/correct",
        data={"csrf": token(anna), "lang": "it", "intent": "complaint", "routes": "64, 40",
              "stops": "", "faq_id": "", "alert_ids": "", "category": "staff"},
    )
    row = queue.get(message_id)
    assert row.intent == "complaint"
    assert row.decision is not None and row.decision["routes"] == ["64", "40"]


def test_an_agent_cannot_assign_work_or_manage_users(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add()
    response = anna.post(
        f"/console/messages/{message_id}/assign", data={"csrf": token(anna), "to": "bruno"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert anna.get("/console/users").status_code == 403
    assert anna.get("/console/team").status_code == 403


def test_admin_creates_a_user_who_can_then_sign_in(web: Any, users: dict[str, str]) -> None:
    with signed_in(web, "adele") as admin:
        response = admin.post(
            "/console/users",
            data={"csrf": token(admin), "username": "carla", "password": PASSWORD, "role": "agent", "language": "en"},
        )
        assert response.status_code == 303
    with signed_in(web, "carla") as carla:
        assert "Sign out" in carla.get("/console/").text


def test_supervisor_writes_canned_replies_that_agents_search_by_language(
    web: Any, anna: TestClient
) -> None:
    with signed_in(web, "sara") as sara:
        for lang, text in (("it", "Il tram 8 è sostituito da bus."), ("en", "Tram 8 is replaced by buses.")):
            sara.post("/console/canned", data={"csrf": token(sara), "title": "Tram 8", "lang": lang, "text": text})
    found = anna.get("/console/api/canned", params={"q": "tram sostituito", "lang": "it"}).json()["replies"]
    assert [r["text"] for r in found] == ["Il tram 8 è sostituito da bus."]
    assert anna.post("/console/canned", data={"csrf": token(anna), "title": "x", "lang": "it", "text": "y"}).status_code == 403


def test_bulk_page_sends_one_answer_to_each_message_of_a_group(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    ids = [messages.add("metro A chiusa?", alert_ids=("metro-a",)) for _ in range(3)]
    page = anna.get("/console/bulk").text
    assert "metro-a" in page
    anna.post(
        "/console/bulk",
        data={"csrf": token(anna), "group": "alert:metro-a", "message": [str(i) for i in ids],
              "text_it": "La metro A riapre alle 10."},
    )
    assert [queue.get(i).draft for i in ids] == ["La metro A riapre alle 10."] * 3
    assert "Inviate 3 risposte" in anna.get("/console/bulk").text


def test_switching_language_changes_the_interface(anna: TestClient) -> None:
    assert "Coda" in anna.get("/console/").text
    anna.post("/console/lang", data={"csrf": token(anna), "lang": "en", "next": "/console/"})
    assert "Queue" in anna.get("/console/").text


def test_sign_in_never_redirects_off_the_console(web: Any, users: dict[str, str]) -> None:
    client = TestClient(web, follow_redirects=False)
    form = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": "anna", "password": PASSWORD, "csrf": csrf_of(form.text), "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/console/"


def test_console_shows_case_states_in_the_agents_language(anna: TestClient, bruno: TestClient, messages: Messages) -> None:
    message_id = messages.add("autista maleducato sul 64")
    italian = anna.get(f"/console/messages/{message_id}").text
    english = bruno.get(f"/console/messages/{message_id}").text
    assert "in attesa di un operatore" in italian
    assert "waiting for an agent" in english
    assert 'id="case-history"' in english
    queue = bruno.get("/console/api/queue").json()
    assert [i["case_status"] for i in queue["items"]] == ["waiting"]


def test_case_view_names_each_problem_record_by_its_subject(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    from bot.domain import Decision, Intent
    from bot.subjects import Subject, SubjectKind
    from storage.db import session_scope
    from storage.problems import record_problems

    message_id = messages.add("fontanella rotta in via Sparano", routes=())
    fountain = Subject(SubjectKind.SERVICE_POINT, "fontanella-12", "Fontanella di piazza Mazzini", "water")
    decision = Decision("it", Intent.COMPLAINT, subjects=(fountain, Subject(SubjectKind.STREET, "via-sparano")))
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id)
        record_problems(session, row, decision, at=row.received_at)
    page = anna.get(f"/console/messages/{message_id}").text
    assert "punto di servizio Fontanella di piazza Mazzini" in page
    assert "via via-sparano" in page
