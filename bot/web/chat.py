"""The web chat's JSON API: citizens post a message and read their conversation back.

A conversation is opened by a server-issued token (see :mod:`bot.web.conversations`); a
client never chooses or names one to get in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.domain import InboundMessage, ReplyKind, as_utc
from bot.errors import BadInput
from bot.services.choice import SERVICE_EXTRA
from bot.web import conversations
from bot.web.inputs import read_json, storable
from bot.web.limits import TokenBuckets, client_address, first_wait, too_many
from storage.models import Message, Reply

#: The most messages one read of a conversation returns (the newest).
MAX_TIMELINE = 500


@dataclass
class ChatLimits:
    """The chat API's rate limits, per conversation and per client address."""

    per_conversation: TokenBuckets
    posts_per_client: TokenBuckets
    reads_per_client: TokenBuckets

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatLimits:
        web = settings.web
        return cls(
            TokenBuckets(web.chat_posts_per_minute),
            TokenBuckets(web.client_posts_per_minute),
            TokenBuckets(web.client_reads_per_minute),
        )


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return kind == "application/json"


async def post_message(request: Request) -> Response:
    """``POST /api/chat`` with ``{"text"}``: store the message in the caller's conversation.

    ``"service"`` (a page opened for one service of a desk of several) is kept with the message, so the desk
    sends it to that service without reading it; an unknown one is refused naming the known ones.

    Without a token a new conversation is opened and its token set as an HttpOnly cookie.
    """
    state = request.app.state
    settings: Settings = state.settings
    limits: ChatLimits = state.chat_limits
    if not _is_json(request):  # a cross-site form can only send simple types: never accepted
        return _error(415, "send the message as application/json")
    token = conversations.token_of(request)
    fresh = token is None
    token = token or conversations.new_token()
    conversation = conversations.conversation_id(token)
    wait = first_wait((limits.posts_per_client, client_address(request)), (limits.per_conversation, conversation))
    if wait:
        return too_many(wait, "messages")
    try:
        body: Any = read_json(await request.body(), max_depth=settings.web.max_json_depth)
        text = _text(body, settings.web.max_message_chars)
    except BadInput as exc:
        return _error(400, str(exc))
    except _Refused as exc:
        return _error(exc.status, str(exc))
    service = body.get("service")
    if service is not None:
        refused = unknown_service(settings, service)
        if refused:
            return _error(422, refused)
    named = body.get("conversation")
    if named is not None and (not isinstance(named, str) or not conversations.owns(token, named)):
        return _error(403, "conversation: this is not your conversation; leave it out to use your own")
    message = InboundMessage(
        channel="web",
        external_id=uuid.uuid4().hex,
        author=f"web:{conversation}",
        text=text,
        received_at=state.clock(),
        thread_id=conversation,
        author_name=None,
        extras={SERVICE_EXTRA: service} if service is not None else {},
    )
    message_id = await run_in_threadpool(state.queue.enqueue, message)
    response = JSONResponse({"message_id": message_id, "conversation": conversation}, status_code=202)
    if fresh:
        conversations.bind(response, token, secure=settings.web.secure_cookies)
    return response


def unknown_service(settings: Settings, service: object) -> str | None:
    """Why ``service`` cannot be the service a chat message is for (None when it is one of the desk's)."""
    if isinstance(service, str) and service in settings.services:
        return None
    known = ", ".join(settings.services) or "none (one service)"
    return f"service: unknown service {str(service)[:64]!r}; known services: {known}"


class _Refused(Exception):  # noqa: N818 - turned into a response right above
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _text(body: Any, limit: int) -> str:
    if not isinstance(body, dict):
        msg = "the body must be a JSON object: {\"text\": \"...\"}"
        raise BadInput(msg)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _Refused(422, "text: a non-empty message is required")
    if len(text) > limit:
        raise _Refused(413, f"text: at most {limit} characters (got {len(text)})")
    return storable(text.strip(), "text")


async def open_conversation(request: Request) -> Response:
    """``POST /api/chat/conversations``: a new conversation for a non-browser client.

    The answer carries the token once; send it as ``Authorization: Bearer <token>``.
    """
    limits: ChatLimits = request.app.state.chat_limits
    wait = limits.posts_per_client.take(client_address(request))
    if wait:
        return too_many(wait, "new conversations")
    token = conversations.new_token()
    return JSONResponse({"conversation": conversations.conversation_id(token), "token": token}, status_code=201)


async def get_own_conversation(request: Request) -> Response:
    """``GET /api/chat``: the caller's conversation (empty when they have none yet)."""
    limited = _read_limited(request)
    if limited is not None:
        return limited
    token = conversations.token_of(request)
    if token is None:
        return JSONResponse({"conversation": None, "messages": []}, headers={"Cache-Control": "no-store"})
    return await _timeline_response(request, conversations.conversation_id(token))


async def get_conversation(request: Request) -> Response:
    """``GET /api/chat/<conversation>``: the same, only for the holder of its token (else 404)."""
    limited = _read_limited(request)
    if limited is not None:
        return limited
    conversation = request.path_params["conversation"]
    if not conversations.owns(conversations.token_of(request), conversation):
        return _error(404, "no such conversation for you")
    return await _timeline_response(request, conversation)


def _read_limited(request: Request) -> Response | None:
    limits: ChatLimits = request.app.state.chat_limits
    wait = limits.reads_per_client.take(client_address(request))
    return too_many(wait, "reads") if wait else None


async def _timeline_response(request: Request, conversation: str) -> Response:
    items = await run_in_threadpool(timeline, request.app.state.engine, conversation)
    return JSONResponse(
        {"conversation": conversation, "messages": items}, headers={"Cache-Control": "no-store"}
    )


def timeline(engine: Engine, conversation: str) -> list[dict[str, Any]]:
    """The citizen's messages and the posted replies in ``conversation``, oldest first."""
    with Session(engine) as session:
        messages = list(
            session.execute(
                select(Message)
                .where(Message.channel == "web", Message.thread_id == conversation)
                .order_by(Message.received_at.desc(), Message.id.desc())  # type: ignore[attr-defined]
                .limit(MAX_TIMELINE)
            ).scalars()
        )
        ids = [m.id for m in messages]
        replies = (
            session.execute(
                select(Reply)
                .where(
                    Reply.message_id.in_(ids),  # type: ignore[attr-defined]
                    Reply.status == "posted",
                    Reply.kind != str(ReplyKind.OPS),
                )
                .order_by(Reply.id)  # type: ignore[arg-type]
            ).scalars().all()
            if ids
            else []
        )
    entries: list[tuple[datetime, int, int, dict[str, Any]]] = []
    for m in messages:
        at = as_utc(m.received_at)
        entries.append((at, 0, m.id or 0, {"role": "citizen", "text": m.text, "at": at.isoformat(), "message_id": m.id}))
    for r in replies:
        at = as_utc(r.posted_at or r.created_at)
        role = "bot" if r.author == "bot" else "agent"
        entries.append((at, 1, r.id or 0, {"role": role, "text": r.text, "at": at.isoformat(), "message_id": r.message_id}))
    entries.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in entries]


routes = [
    Route("/api/chat", post_message, methods=["POST"]),
    Route("/api/chat", get_own_conversation, methods=["GET"]),
    Route("/api/chat/conversations", open_conversation, methods=["POST"]),
    Route("/api/chat/{conversation:str}", get_conversation, methods=["GET"]),
]
