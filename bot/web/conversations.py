"""Web-chat conversations owned by a secret: the server issues the token, the id is derived from it.

The token (256 random bits) is the only thing that opens a conversation. It travels in an
HttpOnly cookie for the chat page, or as ``Authorization: Bearer`` for other clients. The
conversation id stored with the messages (and shown in the console and logs) is a hash of
the token, so knowing an id gives no way in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "sportello_chat"
COOKIE_PATH = "/api/chat"
COOKIE_DAYS = 30
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
_ID = re.compile(r"^web-[0-9a-f]{32}$")


def new_token() -> str:
    """A fresh conversation token."""
    return secrets.token_urlsafe(32)


def conversation_id(token: str) -> str:
    """The public id of the conversation ``token`` opens."""
    return "web-" + hashlib.sha256(token.encode("ascii")).hexdigest()[:32]


def is_conversation_id(value: str) -> bool:
    """Whether ``value`` has the shape of a conversation id."""
    return bool(_ID.match(value))


def token_of(request: Request) -> str | None:
    """The well-formed token the request carries (bearer header first, then the cookie)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    candidate = value.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE, "")
    return candidate if _TOKEN.match(candidate) else None


def owns(token: str | None, conversation: str) -> bool:
    """Whether ``token`` opens ``conversation`` (compared in constant time)."""
    return token is not None and hmac.compare_digest(conversation_id(token), conversation)


def bind(response: Response, token: str, *, secure: bool) -> None:
    """Give the browser the token in an HttpOnly, same-site cookie scoped to the chat API."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_DAYS * 86400,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
