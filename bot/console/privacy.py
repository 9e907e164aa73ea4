"""Personal data in the console: reveal a masked text (recorded), the admin's audit, export and erasure."""

from __future__ import annotations

import json
import re

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console.auth import PREFIX, requires
from bot.console.context import console_of, flash, render
from bot.domain import agent_actor
from bot.errors import PrivacyError
from bot.privacy.audit import AuditAction, recent, record
from bot.privacy.subject import Citizen, erase_citizen, export_citizen
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


def _citizen(form_value: object) -> Citizen | None:
    try:
        return Citizen.parse(form_value if isinstance(form_value, str) else "")
    except PrivacyError:
        return None


@requires("admin")
async def privacy_export(request: Request, user: User) -> Response:
    """``POST /console/privacy/export``: download everything held about a citizen (recorded)."""
    console = console_of(request)
    form = await request.form()
    citizen = _citizen(form.get("citizen"))
    if citizen is None:
        flash(request, "privacy_bad_citizen")
        return RedirectResponse(f"{PREFIX}/privacy", status_code=303)
    data = await run_in_threadpool(
        lambda: export_citizen(console.engine, citizen, actor=agent_actor(user.username), now=console.clock())
    )
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"sportello-{citizen.channel}-{citizen.id}")[:80]
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"', "Cache-Control": "no-store"},
    )


@requires("admin")
async def privacy_erase(request: Request, user: User) -> Response:
    """``POST /console/privacy/erase``: erase a citizen once the admin typed them twice (recorded)."""
    console = console_of(request)
    form = await request.form()
    citizen = _citizen(form.get("citizen"))
    confirm = form.get("confirm")
    if citizen is None:
        flash(request, "privacy_bad_citizen")
        return RedirectResponse(f"{PREFIX}/privacy", status_code=303)
    if not isinstance(confirm, str) or confirm.strip() != str(citizen):
        flash(request, "privacy_not_confirmed")
        return RedirectResponse(f"{PREFIX}/privacy", status_code=303)
    done = await run_in_threadpool(
        lambda: erase_citizen(console.engine, citizen, actor=agent_actor(user.username), now=console.clock())
    )
    key = "privacy_erased" if done.files.complete else "privacy_erased_files_pending"
    flash(request, key, messages=done.messages, replies=done.replies, cases=done.cases)
    return RedirectResponse(f"{PREFIX}/privacy", status_code=303)
