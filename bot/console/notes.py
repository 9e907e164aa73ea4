"""Internal notes on a case: written by agents for agents, never sent to the citizen.

A note keeps its author and time and is never edited or deleted from the console, so the
notes of a case are their own record of who said what when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from bot.errors import BadInput, StorageError
from storage.db import read_session, session_scope
from storage.models import CaseNote, Message

#: The longest note.
MAX_NOTE = 2000


def add_note(engine: Engine, message_id: int, author: str, text: str, *, at: datetime) -> CaseNote:
    """Add a note to the case of message ``message_id``."""
    text = text.strip()
    if not text:
        msg = "note: write something first"
        raise BadInput(msg)
    if len(text) > MAX_NOTE:
        msg = f"note: at most {MAX_NOTE} characters (got {len(text)})"
        raise BadInput(msg)
    with session_scope(engine) as session:
        message = session.get(Message, message_id)
        if message is None or message.case_id is None:
            msg = f"message {message_id} has no case to note on"
            raise StorageError(msg)
        note = CaseNote(case_id=message.case_id, message_id=message_id, author=author, at=at, text=text)
        session.add(note)
        session.flush()
        return note


def case_notes(engine: Engine, case_id: int) -> list[CaseNote]:
    """The notes of a case, oldest first."""
    with read_session(engine) as session:
        return list(
            session.execute(
                select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.at, CaseNote.id)  # type: ignore[arg-type]
            ).scalars()
        )
