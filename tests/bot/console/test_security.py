"""The console under attack: health details for staff only, sessions that end, throttled sign-in, holes closed."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console import build_console
from bot.console.users import find_user, update_user
from bot.domain import MessageState
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.bot.console.conftest import PASSWORD, Messages, csrf_of, signed_in, token
from tests.conftest import FixedClock


def test_health_details_are_for_signed_in_staff_only(
    settings: Settings, engine: Any, queue: MessageQueue, clock: Any, users: dict[str, str]
) -> None:
    details = {"channels": ["telegram"], "workers": 2}
    console = build_console(settings, engine, queue, clock=clock, health=lambda: details)
    app = build_web_app(settings, engine, queue, clock=clock, extra_routes=[Mount("/console", app=console)])
    assert TestClient(app).get("/console/api/health").status_code == 401
    assert TestClient(app).get("/health").json()["components"] == {"database": "ok", "workers": "off"}
    with signed_in(app, "anna") as anna:
        assert anna.get("/console/api/health").json() == {"ok": True, **details}


def _login(app: Any, username: str, password: str, client: TestClient | None = None) -> Any:
    client = client or TestClient(app, follow_redirects=False)
    page = client.get("/console/login")
    return client.post(
        "/console/login", data={"username": username, "password": password, "csrf": csrf_of(page.text)}
    )


def _signed_in_ok(client: TestClient) -> bool:
    return client.get("/console/api/queue").status_code == 200


def test_signing_out_ends_the_session_for_a_copied_cookie_too(web: Any, users: dict[str, str]) -> None:
    anna = signed_in(web, "anna")
    thief = TestClient(web, follow_redirects=False)
    thief.cookies.update(anna.cookies)
    assert _signed_in_ok(thief)
    anna.post("/console/logout", data={"csrf": token(anna)})
    assert not _signed_in_ok(thief) and not _signed_in_ok(anna)


def test_a_password_change_ends_every_session_of_that_user(web: Any, users: dict[str, str], engine: Any) -> None:
    office, phone, other = signed_in(web, "anna"), signed_in(web, "anna"), signed_in(web, "bruno")
    update_user(engine, "anna", password="a-brand-new-password")
    assert not _signed_in_ok(office) and not _signed_in_ok(phone)
    assert _signed_in_ok(other)


def test_deactivating_a_user_ends_their_sessions(web: Any, users: dict[str, str], engine: Any) -> None:
    anna = signed_in(web, "anna")
    update_user(engine, "anna", active=False)
    update_user(engine, "anna", active=True)  # back again: the old session stays ended
    assert not _signed_in_ok(anna)


def test_an_idle_session_ends(web: Any, users: dict[str, str], clock: FixedClock) -> None:
    anna = signed_in(web, "anna")
    clock.advance(59 * 60)
    assert _signed_in_ok(anna)
    clock.advance(61 * 60)
    assert not _signed_in_ok(anna)


def test_an_active_session_still_ends_after_session_hours(web: Any, users: dict[str, str], clock: FixedClock) -> None:
    anna = signed_in(web, "anna")
    for _ in range(23):
        clock.advance(30 * 60)
        assert _signed_in_ok(anna)
    clock.advance(31 * 60)
    assert not _signed_in_ok(anna)


def test_wrong_passwords_pause_the_account_even_for_the_right_one(
    web: Any, users: dict[str, str], clock: FixedClock
) -> None:
    codes = [_login(web, "anna", f"guess-{n}").status_code for n in range(5)]
    assert codes == [401] * 5
    paused = _login(web, "anna", PASSWORD)
    assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
    assert _login(web, "bruno", PASSWORD).status_code == 303  # other accounts are not locked out
    clock.advance(15 * 60 + 1)
    assert _login(web, "anna", PASSWORD).status_code == 303


def test_one_address_guessing_many_accounts_is_paused(
    engine: Any, queue: MessageQueue, clock: FixedClock, users: dict[str, str]
) -> None:
    settings = Settings(web={"secret_key": "k"}, console={"login_failures_per_address": 3})
    app = build_web_app(settings, engine, queue, clock=clock,
                        extra_routes=[Mount("/console", app=build_console(settings, engine, queue, clock=clock))])
    codes = [_login(app, name, "wrong-password").status_code for name in ("anna", "bruno", "sara", "adele")]
    assert codes == [401, 401, 401, 429]


def test_sign_ins_beyond_the_password_check_slots_get_503_at_once(web: Any, users: dict[str, str]) -> None:
    throttle = web.routes[-1].app.state.console.throttle
    assert throttle.try_enter() and throttle.try_enter()  # both slots busy
    try:
        busy = _login(web, "anna", PASSWORD)
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    finally:
        throttle.leave()
        throttle.leave()
    assert _login(web, "anna", PASSWORD).status_code == 303


def test_correct_respects_another_agents_claim(
    anna: TestClient, bruno: TestClient, messages: Messages, queue: MessageQueue, engine: Any
) -> None:
    message_id = messages.add(intent="other", routes=())
    _claim(anna, message_id)
    refused = bruno.post(
        f"/console/messages/{message_id}/correct",
        data={"csrf": token(bruno), "lang": "it", "intent": "complaint"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 409 and refused.json()["holder"] == "anna"
    assert queue.get(message_id).intent == "other"


def test_release_tells_the_truth(anna: TestClient, bruno: TestClient, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    _claim(anna, message_id)
    json = {"Accept": "application/json"}
    stolen = bruno.post(f"/console/messages/{message_id}/release", data={"csrf": token(bruno)}, headers=json)
    assert stolen.status_code == 409 and queue.get(message_id).claimed_by == "anna"
    mine = anna.post(f"/console/messages/{message_id}/release", data={"csrf": token(anna)}, headers=json)
    assert mine.status_code == 200 and queue.get(message_id).claimed_by is None
    again = anna.post(f"/console/messages/{message_id}/release", data={"csrf": token(anna)}, headers=json)
    assert again.status_code == 409


def test_the_last_admin_stays_admin(web: Any, users: dict[str, str], engine: Any) -> None:
    adele = signed_in(web, "adele")
    demoted = adele.post("/console/users/adele", data={"csrf": token(adele), "role": "agent"})
    assert demoted.status_code == 422
    gone = adele.post("/console/users/adele", data={"csrf": token(adele), "role": "admin", "active": "0"})
    assert gone.status_code == 422
    assert find_user(engine, "adele").role == "admin" and find_user(engine, "adele").active
    update_user(engine, "sara", role="admin")
    assert adele.post("/console/users/adele", data={"csrf": token(adele), "role": "agent"}).status_code == 303


@pytest.mark.parametrize("action,field", [("send", "text"), ("escalate", "note"), ("correct", "routes")])
def test_nul_in_console_input_is_a_400_and_changes_nothing(
    anna: TestClient, messages: Messages, queue: MessageQueue, action: str, field: str
) -> None:
    message_id = messages.add()
    data = {"csrf": token(anna), field: "metro\x00", "intent": "complaint", "lang": "it"}
    response = anna.post(f"/console/messages/{message_id}/{action}", data=data)
    assert response.status_code == 400
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW and row.draft == "Ci scusiamo per il disagio."


@pytest.mark.parametrize("action,field", [("send", "text"), ("escalate", "note"), ("correct", "routes")])
def test_a_lone_surrogate_in_console_input_is_never_a_500(
    anna: TestClient, messages: Messages, queue: MessageQueue, action: str, field: str
) -> None:
    message_id = messages.add()
    body = f"csrf={token(anna)}&intent=complaint&lang=it&{field}=metro%ED%A0%80".encode()
    response = anna.post(
        f"/console/messages/{message_id}/{action}", content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (303, 400)


def test_unstorable_canned_search_is_a_400(anna: TestClient) -> None:
    assert anna.get("/console/api/canned", params={"q": "treno\x00"}).status_code == 400
    assert anna.get("/console/api/canned?q=treno%ED%A0%80").status_code in (200, 400)


def test_a_correction_language_over_eight_characters_is_a_422(
    anna: TestClient, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add(intent="other")
    response = anna.post(
        f"/console/messages/{message_id}/correct",
        data={"csrf": token(anna), "lang": "italiano-antico", "intent": "complaint"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422 and "lang" in response.json()["error"]
    assert queue.get(message_id).intent == "other"


def test_every_console_page_forbids_framing(anna: TestClient) -> None:
    headers = anna.get("/console/").headers
    assert headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in headers["content-security-policy"]


def _claim(client: TestClient, message_id: int) -> None:
    response = client.post(
        f"/console/messages/{message_id}/claim", data={"csrf": token(client)}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text


def test_a_sign_in_with_unstorable_fields_is_a_plain_refusal(web: Any, users: dict[str, str]) -> None:
    client = TestClient(web, follow_redirects=False)
    csrf = csrf_of(client.get("/console/login").text)
    for username in ("anna%00", "anna%ED%A0%80", "%F0%9F%98%80" * 30):
        body = f"csrf={csrf}&username={username}&password=x%00y".encode()
        response = client.post("/console/login", content=body,
                               headers={"content-type": "application/x-www-form-urlencoded"})
        assert response.status_code == 401
