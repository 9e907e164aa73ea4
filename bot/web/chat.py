"""The web chat's JSON API: citizens post a message and read their conversation back."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.domain import InboundMessage, ReplyKind, as_utc
from storage.models import Message, Reply

MAX_CONVERSATION_CHARS = 128


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def post_message(request: Request) -> JSONResponse:
    """``POST /api/chat`` with ``{"conversation", "text"}``: store the message for the workers."""
    state = request.app.state
    try:
        body: Any = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "the body must be JSON: {\"conversation\": \"...\", \"text\": \"...\"}")
    if not isinstance(body, dict):
        return _error(400, "the body must be a JSON object with conversation and text")
    conversation = body.get("conversation")
    text = body.get("text")
    if not isinstance(conversation, str) or not conversation.strip():
        return _error(422, "conversation: a non-empty string chosen by the client is required")
    if len(conversation) > MAX_CONVERSATION_CHARS:
        return _error(422, f"conversation: at most {MAX_CONVERSATION_CHARS} characters")
    if not isinstance(text, str) or not text.strip():
        return _error(422, "text: a non-empty message is required")
    limit = state.settings.web.max_message_chars
    if len(text) > limit:
        return _error(413, f"text: at most {limit} characters (got {len(text)})")
    message = InboundMessage(
        channel="web",
        external_id=uuid.uuid4().hex,
        author=f"web:{conversation}",
        text=text.strip(),
        received_at=state.clock(),
        thread_id=conversation,
        author_name=None,
    )
    message_id = state.queue.enqueue(message)
    return JSONResponse({"message_id": message_id}, status_code=202)


async def get_conversation(request: Request) -> JSONResponse:
    """``GET /api/chat/<conversation>``: the citizen's messages and the replies, oldest first."""
    conversation = request.path_params["conversation"]
    engine = request.app.state.engine
    with Session(engine) as session:
        messages = session.execute(
            select(Message)
            .where(Message.channel == "web", Message.thread_id == conversation)
            .order_by(Message.received_at, Message.id)  # type: ignore[arg-type]
        ).scalars().all()
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
    timeline: list[tuple[datetime, int, dict[str, Any]]] = []
    for m in messages:
        at = as_utc(m.received_at)
        item = {"role": "citizen", "text": m.text, "at": at.isoformat(), "message_id": m.id}
        timeline.append((at, 0, item))
    for r in replies:
        at = as_utc(r.posted_at or r.created_at)
        role = "bot" if r.author == "bot" else "agent"
        item = {"role": role, "text": r.text, "at": at.isoformat(), "message_id": r.message_id}
        timeline.append((at, 1, item))
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    return JSONResponse({"conversation": conversation, "messages": [e[2] for e in timeline]})


routes = [
    Route("/api/chat", post_message, methods=["POST"]),
    Route("/api/chat/{conversation:str}", get_conversation, methods=["GET"]),
]
