"""Anonymising stored rows: a citizen's messages, the replies to them, their cases, in one session."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from bot.privacy.pii import redact
from storage.models import Case, CaseTransition, Correction, Message, ProblemRecord, Reply, Transition

#: What an anonymised text reads.
ANONYMOUS = "[anonimizzato]"
#: Prefix of the author and external id left on an anonymised row (unique, names nobody).
ANON = "anon:"
#: Decision fields kept on an anonymised message: what it was about, never words from it.
DECISION_KEEP = ("lang", "intent", "routes", "stops", "stop_ids", "faq_id", "alert_ids", "category", "action", "confidence")


#: Subject kinds an anonymised decision loses: an address (a street and a house number) can point to a person.
PERSONAL_KINDS = frozenset({"address"})


def kept_decision(decision: dict[str, Any]) -> dict[str, Any]:
    """What an anonymised message's decision keeps: :data:`DECISION_KEEP`, and its subjects (the street, area or
    service point it was about, as its lines and stops are kept) but an address."""
    kept = {k: v for k, v in decision.items() if k in DECISION_KEEP}
    subjects = [s for s in decision.get("subjects") or () if isinstance(s, dict) and s.get("kind") not in PERSONAL_KINDS]
    if subjects:
        kept["subjects"] = subjects
    return kept


def anonymise_messages(session: Session, ids: Iterable[int], *, keep_masked_text: bool = False) -> int:
    """Strip who wrote these messages and what they said; keep when, where, about what.

    With ``keep_masked_text`` the text stays with its personal data replaced by its kind (a
    corrected message kept longer for evaluation); otherwise it becomes :data:`ANONYMOUS`.
    """
    count = 0
    for row in session.execute(select(Message).where(Message.id.in_(list(ids)))).scalars():  # type: ignore[union-attr]
        row.text = redact(row.text) if keep_masked_text else ANONYMOUS
        row.author = f"{ANON}{row.id}"
        row.author_name = None
        row.external_id = f"{ANON}{row.id}"
        row.thread_id = None
        row.reply_to = None
        row.extras = {}
        row.draft = None
        row.last_error = None
        if row.decision:
            row.decision = kept_decision(row.decision)
        session.add(row)
        count += 1
    id_list = list(ids)
    if id_list:
        session.execute(update(Transition).where(Transition.message_id.in_(id_list)).values(note=None))  # type: ignore[attr-defined]
        # A problem record naming an address goes; the record of its street (written beside it) stays.
        session.execute(delete(ProblemRecord).where(ProblemRecord.message_id.in_(id_list),  # type: ignore[attr-defined]
                                                    ProblemRecord.subject_kind.in_(PERSONAL_KINDS)))  # type: ignore[union-attr]
    return count


def anonymise_replies(session: Session, reply_ids: Iterable[int]) -> int:
    """Blank the texts of these replies and forget where they were posted."""
    id_list = list(reply_ids)
    if not id_list:
        return 0
    result = session.execute(
        update(Reply).where(Reply.id.in_(id_list)).values(text=ANONYMOUS, external_ids=[], error=None)  # type: ignore[union-attr]
    )
    return int(result.rowcount or 0)


def anonymise_cases(session: Session, case_ids: Iterable[int]) -> int:
    """Forget whose these cases were and agents' notes on them (status and times stay for the statistics)."""
    count = 0
    id_list = list(case_ids)
    if id_list:
        session.execute(update(CaseTransition).where(CaseTransition.case_id.in_(id_list)).values(note=None))  # type: ignore[attr-defined]
    for case in session.execute(select(Case).where(Case.id.in_(id_list))).scalars():  # type: ignore[union-attr]
        case.author = f"{ANON}case{case.id}"
        case.thread_key = f"{ANON}{case.id}"
        session.add(case)
        count += 1
    return count


def drop_corrections(session: Session, message_ids: Iterable[int]) -> int:
    """Delete the labelled examples made from these messages."""
    id_list = list(message_ids)
    if not id_list:
        return 0
    result = session.execute(delete(Correction).where(Correction.message_id.in_(id_list)))  # type: ignore[attr-defined]
    return int(result.rowcount or 0)
