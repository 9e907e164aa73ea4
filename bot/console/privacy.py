"""Personal data in the console: reveal a masked text (recorded), the admin's audit, export and erasure."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console.auth import PREFIX, requires
from bot.console.context import console_of, flash, render
from bot.domain import agent_actor
from bot.privacy.audit import AuditAction, recent, record
from storage.models import Message, User

#: How many revealed messages a session remembers (the oldest are masked again).
REVEALED_KEEP = 50
_REVEALED = "revealed"


def revealed_ids(request: Request) -> set[int]:
    """The messages this session has revealed (each reveal was recorded in the audit)."""
    found = request.session.get(_REVEALED)
    return {int(i) for i in found if isinstance(i, int)} if isinstance(found, list) else set()


@requires("agent")
async def reveal(request: Request, user: User) -> Response:
    """``POST /console/messages/<id>/reveal``: show this message's texts unmasked, and record who asked."""
    console = console_of(request)
    message_id = int(request.path_params["message_id"])

    def run() -> bool:
        from sqlmodel import Session

        with Session(console.engine) as session:
            if session.get(Message, message_id) is None:
                return False
        record(console.engine, agent_actor(user.username), AuditAction.REVEAL, at=console.clock(), message_id=message_id)
        return True

    if not await run_in_threadpool(run):
        return Response("no such message", status_code=404)
    kept = [i for i in request.session.get(_REVEALED, []) if isinstance(i, int) and i != message_id]
    request.session[_REVEALED] = [*kept, message_id][-REVEALED_KEEP:]
    flash(request, "revealed_flash")
    return RedirectResponse(f"{PREFIX}/messages/{message_id}", status_code=303)


@requires("admin")
async def privacy_page(request: Request, user: User) -> Response:
    """The admin's privacy page: the audit of reveals, exports and erasures."""
    console = console_of(request)
    entries = await run_in_threadpool(recent, console.engine, limit=300)
    return render(request, "privacy.html", user, page="privacy", entries=entries)
