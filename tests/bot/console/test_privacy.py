"""Citizens' personal data in the console: masked until revealed, each reveal recorded, the admin's audit."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from bot.privacy.audit import AuditAction, recent
from tests.bot.console.conftest import Messages, signed_in, token

TEXT = "rimborso sulla carta 4111 1111 1111 1111, cf RSSMRA85T10A562S, scrivete a mario.rossi@example.com"


def test_the_queue_shows_texts_masked(anna: TestClient, messages: Messages) -> None:
    messages.add(TEXT)
    [item] = anna.get("/console/api/queue").json()["items"]
    assert "4111 1111 1111 1111" not in item["text"] and "RSSMRA85T10A562S" not in item["text"]
    assert "•••• •••• •••• 1111" in item["text"] and "••••@example.com" in item["text"]


def test_the_case_view_masks_until_an_agent_reveals_and_the_reveal_is_recorded(
    anna: TestClient, messages: Messages, engine: Any
) -> None:
    message_id = messages.add(TEXT)
    page = anna.get(f"/console/messages/{message_id}").text
    assert "mario.rossi@example.com" not in page and "RSSMRA85T10A562S" not in page
    assert "••••••••••••562S" in page and 'id="reveal-form"' in page
    assert recent(engine) == []

    shown = anna.post(f"/console/messages/{message_id}/reveal", data={"csrf": token(anna)})
    assert shown.status_code == 303
    page = anna.get(f"/console/messages/{message_id}").text
    assert "mario.rossi@example.com" in page and "RSSMRA85T10A562S" in page
    [entry] = recent(engine)
    assert (entry.actor, entry.action, entry.message_id) == ("agent:anna", AuditAction.REVEAL, message_id)


def test_a_reveal_needs_the_csrf_token_and_a_post(anna: TestClient, messages: Messages, engine: Any) -> None:
    message_id = messages.add(TEXT)
    assert anna.post(f"/console/messages/{message_id}/reveal", data={}).status_code == 403
    assert anna.get(f"/console/messages/{message_id}/reveal").status_code == 405
    assert recent(engine) == []
    assert "mario.rossi@example.com" not in anna.get(f"/console/messages/{message_id}").text


def test_one_agents_reveal_does_not_unmask_for_another(web: Any, users: dict[str, str], messages: Messages) -> None:
    message_id = messages.add(TEXT)
    with signed_in(web, "anna") as anna, signed_in(web, "bruno") as bruno:
        anna.post(f"/console/messages/{message_id}/reveal", data={"csrf": token(anna)})
        assert "mario.rossi@example.com" not in bruno.get(f"/console/messages/{message_id}").text


def test_a_message_without_personal_data_has_no_reveal_button(anna: TestClient, messages: Messages) -> None:
    message_id = messages.add("il 64 è in ritardo di 20 minuti")
    page = anna.get(f"/console/messages/{message_id}").text
    assert "il 64 è in ritardo di 20 minuti" in page and 'id="reveal-form"' not in page


def test_only_admins_see_the_audit(web: Any, users: dict[str, str], messages: Messages) -> None:
    message_id = messages.add(TEXT)
    with signed_in(web, "anna") as anna:
        anna.post(f"/console/messages/{message_id}/reveal", data={"csrf": token(anna)})
        assert anna.get("/console/privacy").status_code == 403
    with signed_in(web, "adele") as adele:
        page = adele.get("/console/privacy")
        assert page.status_code == 200
        assert "agent:anna" in page.text and f"#{message_id}" in page.text


def test_an_admin_downloads_a_citizens_data_and_the_export_is_recorded(web: Any, users: dict[str, str], messages: Messages, engine: Any) -> None:
    messages.add(TEXT, author="web:abc")
    messages.add("un altro cittadino", author="web:zzz")
    with signed_in(web, "adele") as adele:
        got = adele.post("/console/privacy/export", data={"csrf": token(adele), "citizen": "web:abc"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    data = got.json()
    assert [m["text"] for m in data["messages"]] == [TEXT]
    assert recent(engine)[0].action == AuditAction.EXPORT


def test_an_erasure_needs_the_citizen_typed_twice_and_is_recorded(web: Any, users: dict[str, str], messages: Messages, engine: Any) -> None:
    message_id = messages.add(TEXT, author="web:abc")
    with signed_in(web, "adele") as adele:
        wrong = adele.post("/console/privacy/erase", data={"csrf": token(adele), "citizen": "web:abc", "confirm": "web:ab"})
        assert wrong.status_code == 303
        assert "mario.rossi@example.com" in adele.post(
            "/console/privacy/export", data={"csrf": token(adele), "citizen": "web:abc"}).text
        done = adele.post("/console/privacy/erase", data={"csrf": token(adele), "citizen": "web:abc", "confirm": "web:abc"})
        assert done.status_code == 303
        page = adele.get("/console/privacy").text
    assert "mario.rossi" not in page
    assert [e.action for e in recent(engine)][:2] == [AuditAction.ERASE, AuditAction.EXPORT]
    with signed_in(web, "anna") as anna:
        assert "mario.rossi" not in anna.post(f"/console/messages/{message_id}/reveal", data={"csrf": token(anna)}).text
        assert "mario.rossi" not in anna.get(f"/console/messages/{message_id}").text
        assert anna.post("/console/privacy/erase", data={"csrf": token(anna), "citizen": "web:abc", "confirm": "web:abc"}).status_code == 403


def test_an_agents_reply_in_a_public_thread_does_not_repeat_the_citizens_data(
    anna: TestClient, messages: Messages, queue: Any
) -> None:
    group = messages.add("richiamatemi al 333 123 4567", channel="telegram", author="5001", extras={"chat_type": "supergroup"})
    private = messages.add("richiamatemi al 333 123 4567", channel="telegram", author="5002", extras={"chat_type": "private"})
    for message_id in (group, private):
        anna.get(f"/console/messages/{message_id}")
        sent = anna.post(f"/console/messages/{message_id}/send",
                         data={"csrf": token(anna), "text": "La richiamiamo al 333 123 4567 entro oggi."})
        assert sent.status_code == 303
    assert queue.get(group).draft == "La richiamiamo al [telefono] entro oggi."
    assert queue.get(private).draft == "La richiamiamo al 333 123 4567 entro oggi."
