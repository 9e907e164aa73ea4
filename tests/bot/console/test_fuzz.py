"""Property-based tests of the console's forms: any field values get a page, a redirect or a 4xx, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.bot.console.conftest import Messages, signed_in, token
from tests.fuzzing import bounded, hostile_text

ACTIONS = ["approve", "send", "escalate", "close", "noreply", "release", "takeover", "assign", "correct", "claim"]
FIELDS = ["text", "note", "to", "lang", "intent", "routes", "stops", "faq_id", "alert_ids", "category"]


def _form(fields: dict[str, str], csrf: str) -> bytes:
    """URL-encode as a browser would, lone surrogates sent as the bytes a broken client would send."""
    parts = [f"csrf={csrf}"]
    parts += [f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}" for name, value in fields.items()]
    return "&".join(parts).encode()


@pytest.fixture
def sara(web: Any, users: dict[str, str]) -> TestClient:
    client = signed_in(web, "sara")
    return TestClient(web, raise_server_exceptions=False, follow_redirects=False, cookies=client.cookies)


@bounded(60)
@given(action=st.sampled_from(ACTIONS), fields=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=5))
def test_any_action_form_gets_a_clear_answer(sara: TestClient, messages: Messages, action: str, fields: dict[str, str]) -> None:
    message_id = messages.add()
    response = sara.post(
        f"/console/messages/{message_id}/{action}", content=_form(fields, token(sara)),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code in (200, 303, 400, 403, 404, 409, 422), response.text


@bounded(30)
@given(q=hostile_text, lang=hostile_text, title=hostile_text, text=hostile_text)
def test_canned_search_and_save_get_a_clear_answer(sara: TestClient, q: str, lang: str, title: str, text: str) -> None:
    query = quote(q.encode("utf-8", "surrogatepass"), safe="") + "&lang=" + quote(lang.encode("utf-8", "surrogatepass"))
    assert sara.get(f"/console/api/canned?q={query}").status_code in (200, 400)
    assert sara.get(f"/console/canned?q={query}").status_code in (200, 400)
    saved = sara.post("/console/canned", content=_form({"title": title, "text": text, "lang": lang}, token(sara)),
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert saved.status_code in (303, 400, 422), saved.text


@bounded(30)
@given(path=hostile_text, after=hostile_text, order=hostile_text)
def test_any_console_url_gets_a_clear_answer(sara: TestClient, path: str, after: str, order: str) -> None:
    encoded = quote(path.encode("utf-8", "surrogatepass"), safe="")
    for url in (f"/console/messages/{encoded}", f"/console/next?after={quote(after.encode('utf-8', 'surrogatepass'))}",
                f"/console/api/queue?order={quote(order.encode('utf-8', 'surrogatepass'))}"):
        assert sara.get(url).status_code in (200, 303, 400, 404), url
