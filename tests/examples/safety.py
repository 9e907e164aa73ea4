"""What a citizen of an example's desk sees at once after writing an emergency: the worker's safety reply."""

from __future__ import annotations

from bot.app import Application
from bot.domain import InboundMessage, Intent, ReplyKind


def safety_reply(app: Application, text: str, external_id: str = "1") -> str:
    """Route ``text`` from the web chat with one worker pass; the safety reply it got (the case was escalated)."""
    worker = app._worker(0)  # noqa: SLF001 (the application's own worker, with its notice lane)
    message_id = app.queue.enqueue(InboundMessage("web", external_id, f"web:{external_id}", text, app.clock(),
                                                  thread_id=external_id))
    assert message_id is not None
    worker.run_once()
    row = app.queue.get(message_id)
    assert row.decision is not None and row.decision["intent"] == str(Intent.EMERGENCY)
    safety = [r for r in app.queue.replies_for(message_id) if r.kind == str(ReplyKind.SAFETY)]
    assert [r.status for r in safety] == ["posted"]
    return safety[0].text
