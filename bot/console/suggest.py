"""Suggested replies: the agents' own past answers to messages like this one, best first.

Retrieval over the history with rapidfuzz: the citizen's text is compared with the texts of
earlier messages that an agent answered (an approved or edited reply that was posted); the
answers of the closest ones come back with the case they answered, so the agent can check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process, utils
from sqlalchemy import Engine, select

from bot.domain import ReplyKind
from bot.privacy.pii import mask
from storage.db import read_session
from storage.models import Message, Reply

#: How many earlier answered messages are compared (the newest).
HISTORY = 3000
#: The lowest similarity (0-100) worth suggesting, and how many suggestions at most.
MIN_SCORE = 62.0
LIMIT = 3


@dataclass(frozen=True)
class Suggestion:
    """An earlier agent answer to a similar message."""

    text: str
    score: float
    message_id: int
    case_id: int | None
    agent: str
    at: datetime | None
    asked: str


def suggest(engine: Engine, message_id: int, *, limit: int = LIMIT, min_score: float = MIN_SCORE) -> list[Suggestion]:
    """Past agent answers to messages similar to ``message_id``, in its language, most similar first."""
    with read_session(engine) as session:
        current = session.get(Message, message_id)
        if current is None:
            return []
        statement = (
            select(Message.id, Message.case_id, Message.text, Reply.text, Reply.author, Reply.posted_at)
            .join(Reply, Reply.message_id == Message.id)
            .where(
                Reply.kind == str(ReplyKind.ANSWER),
                Reply.status == "posted",
                Reply.author.like("agent:%"),  # type: ignore[attr-defined]
                Message.id != message_id,
            )
            .order_by(Reply.id.desc())  # type: ignore[union-attr]
            .limit(HISTORY)
        )
        if current.lang:
            statement = statement.where(Message.lang == current.lang)
        rows = session.execute(statement).all()
    if not rows:
        return []
    found = process.extract(
        current.text, [row[2] for row in rows], scorer=fuzz.token_sort_ratio, processor=utils.default_process,
        score_cutoff=min_score, limit=limit * 4,
    )
    suggestions: list[Suggestion] = []
    seen: set[str] = set()
    for _text, score, index in found:
        source_id, case_id, asked, answer, author, at = rows[index]
        key = " ".join(answer.casefold().split())
        if key in seen:  # the same answer given to many: once, at its best score
            continue
        seen.add(key)
        suggestions.append(
            Suggestion(mask(answer), round(float(score), 1), source_id, case_id, author.removeprefix("agent:"), at, mask(asked))
        )
        if len(suggestions) == limit:
            break
    return suggestions
