"""Pages beyond the queue: answering many at once, canned replies, users, the team's day."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console.auth import PREFIX, requires
from bot.console.bulk import answer_many, bulk_groups
from bot.console.canned import CannedReplyError, delete_canned, save_canned, search_canned
from bot.console.shipped import PLACEHOLDERS, shipped_replies
from bot.config import Settings
from bot.services.categories import domains_of
from bot.console.supervision import supervision
from bot.console.context import Console, console_of, flash, render
from bot.console.i18n import LANGUAGES
from bot.console.users import ROLES, UserError, create_user, list_users, update_user
from bot.follow.unknown import Decision, NoticeCheckError, decide
from storage.models import Message, User

#: The states an agent's actions lead to, as the team page counts them.
TEAM_STATES = ("approved", "edited", "escalated", "closed", "awaiting_review")


@requires("agent")
async def bulk_page(request: Request, user: User) -> Response:
    """Groups of waiting messages about the same alert or FAQ entry."""
    console = console_of(request)
    groups = await run_in_threadpool(
        bulk_groups, console.view, console.engine, console.clock(), agent=user.username
    )
    return render(request, "bulk.html", user, page="bulk", groups=groups)


@requires("agent")
async def bulk_answer(request: Request, user: User) -> Response:
    """Send one approved answer, per language, to each selected message of a group."""
    console = console_of(request)
    form = await request.form()
    ids = [int(v) for v in form.getlist("message") if isinstance(v, str) and v.isdigit()]
    texts = {lang: str(form.get(f"text_{lang}") or "") for lang in LANGUAGES}
    use_drafts = form.get("use_drafts") == "1"

    def run() -> tuple[int, int]:
        languages = _languages(console, ids)
        outcome = answer_many(
            console.desk, user.username, ids, texts, languages=languages, use_drafts=use_drafts
        )
        return len(outcome.sent), len(outcome.skipped)

    sent, skipped = await run_in_threadpool(run)
    flash(request, "bulk_done", sent=sent, skipped=skipped)
    return RedirectResponse(f"{PREFIX}/bulk", status_code=303)


def _languages(console: Console, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    with Session(console.engine) as session:
        rows = session.execute(
            select(Message.id, Message.lang).where(Message.id.in_(ids))  # type: ignore[union-attr]
        ).all()
    return {row[0]: row[1] or "it" for row in rows}


@requires("agent")
async def canned_page(request: Request, user: User) -> Response:
    """Canned replies: everyone searches them, supervisors edit them."""
    console = console_of(request)
    q = request.query_params.get("q", "")
    lang = request.query_params.get("lang") or None
    replies = await run_in_threadpool(search_canned, console.engine, q, lang)
    words = q.casefold().split()
    shipped = [
        r for r in shipped_replies(domains_of(console.settings, None), every=True)  # every service's
        if (lang is None or r.lang == lang) and all(w in f"{r.title} {r.text}".casefold() for w in words)
    ]
    return render(
        request, "canned.html", user, page="canned", replies=replies, shipped=shipped, q=q, filter_lang=lang,
        placeholders=PLACEHOLDERS, services=_service_labels(console.settings),
    )


def _service_labels(settings: Settings) -> dict[str, str]:
    """On a desk of several services, each domain's service label (a shipped reply's badge); else nothing."""
    return {s.knowledge.domain: s.label or name for name, s in (settings.services or {}).items()}


@requires("supervisor")
async def canned_save(request: Request, user: User) -> Response:
    """Create or change a canned reply."""
    console = console_of(request)
    form = await request.form()
    raw_id = str(form.get("id") or "")
    lang = str(form.get("lang") or "it")
    if lang not in LANGUAGES:
        raise HTTPException(422, f"language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    try:
        await run_in_threadpool(
            lambda: save_canned(
                console.engine,
                title=str(form.get("title") or ""),
                lang=lang,
                text=str(form.get("text") or ""),
                by=user.username,
                canned_id=int(raw_id) if raw_id.isdigit() else None,
                clock=console.clock,
            )
        )
    except CannedReplyError as exc:
        raise HTTPException(422, str(exc)) from exc
    return RedirectResponse(f"{PREFIX}/canned", status_code=303)


@requires("supervisor")
async def canned_delete(request: Request, user: User) -> Response:
    """Remove a canned reply."""
    console = console_of(request)
    await run_in_threadpool(delete_canned, console.engine, int(request.path_params["canned_id"]))
    return RedirectResponse(f"{PREFIX}/canned", status_code=303)


@requires("admin")
async def users_page(request: Request, user: User) -> Response:
    """Every console user, with their role, language and whether they may sign in."""
    users = await run_in_threadpool(list_users, console_of(request).engine)
    return render(request, "users.html", user, page="users", users=users, roles=ROLES, error=None)


@requires("admin")
async def users_add(request: Request, user: User) -> Response:
    """Create a user from the admin page."""
    console = console_of(request)
    form = await request.form()
    try:
        await run_in_threadpool(
            lambda: create_user(
                console.engine,
                str(form.get("username") or "").strip(),
                str(form.get("password") or ""),
                str(form.get("role") or "agent"),
                language=str(form.get("language") or "it"),
                clock=console.clock,
            )
        )
    except UserError as exc:
        users = await run_in_threadpool(list_users, console.engine)
        return render(
            request, "users.html", user, page="users", users=users, roles=ROLES, error=str(exc),
            status_code=422,
        )
    return RedirectResponse(f"{PREFIX}/users", status_code=303)


@requires("admin")
async def users_update(request: Request, user: User) -> Response:
    """Change a user's role, language or active flag."""
    console = console_of(request)
    form = await request.form()
    username = request.path_params["username"]
    try:
        await run_in_threadpool(
            lambda: update_user(
                console.engine,
                username,
                role=str(form.get("role") or "") or None,
                language=str(form.get("language") or "") or None,
                active=form.get("active") != "0",
            )
        )
    except UserError as exc:
        raise HTTPException(422, str(exc)) from exc
    return RedirectResponse(f"{PREFIX}/users", status_code=303)


@requires("supervisor")
async def team_page(request: Request, user: User) -> Response:
    """The supervisor's view: queue age by lane, breaches now, each agent's workload."""
    console = console_of(request)
    view = await run_in_threadpool(supervision, console.engine, console.view, console.clock(), console.zone)
    return render(request, "team.html", user, page="team", states=TEAM_STATES, view=view)


@requires("supervisor")
async def notice_decide(request: Request, user: User) -> Response:
    """A supervisor's decision on a follower notice of unknown delivery: resend it, or leave it."""
    console = console_of(request)
    notice_id = int(request.path_params["notice_id"])
    try:
        decision = Decision(request.path_params["decision"])
    except ValueError as exc:
        raise HTTPException(404, f"unknown decision; known: {', '.join(Decision)}") from exc
    try:
        await run_in_threadpool(decide, console.engine, notice_id, decision, by=user.username, now=console.clock())
    except NoticeCheckError:
        flash(request, "notice_gone", id=notice_id)
        return RedirectResponse(f"{PREFIX}/team#unknown-notices", status_code=303)
    flash(request, f"notice_{decision}", id=notice_id)
    return RedirectResponse(f"{PREFIX}/team#unknown-notices", status_code=303)
