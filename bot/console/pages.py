"""The queue, the case view and the actions agents take on a message."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.console.auth import PREFIX, requires, wants_json
from bot.console.canned import search_canned
from bot.console.casefile import load_case_file
from bot.console.context import Console, console_of, flash, render, ui_language
from bot.console.filters import CHANNELS, Filters
from bot.console.filters import LANGUAGES as FILTER_LANGUAGES
from bot.console.notes import MAX_NOTE, add_note
from bot.console.search import search
from bot.console.shipped import fill, first_name, shipped_replies, unfilled
from bot.console.suggest import suggest
from storage.db import read_session
from bot.console.i18n import STRINGS, translator
from bot.console.privacy import revealed_ids
from bot.console.desk import ANSWERABLE, NO_REPLY_NOTE, REOPENABLE, ClaimedByOther, DeskError
from bot.console.queueview import ORDERS
from bot.console.sources import source_rows
from bot.console.users import list_users, role_at_least
from bot.domain import Intent, MessageState, agent_actor, as_utc
from bot.services.categories import categories_of, category_labels, domains_of
from bot.services.choice import UNDECIDED
from bot.errors import BadInput, SportelloError, StorageError
from bot.privacy.pii import has_pii
from bot.services.places import resolve_places
from bot.subjects import TRANSIT_KINDS, Subject
from storage.corrections import correction_label, record_correction
from storage.services import decide_service
from storage.models import Message, User


def _order(request: Request) -> str:
    order = request.query_params.get("order", "urgency")
    return order if order in ORDERS else "urgency"


def filter_options(console: Console) -> dict[str, Any]:
    """The choices of the filter bar."""
    return {
        "channels": CHANNELS,
        "intents": [str(i) for i in Intent],
        "states": [str(s) for s in MessageState],
        "languages": FILTER_LANGUAGES,
        "agents": [u.username for u in list_users(console.engine)],
        "faqs": console.faq_ids,
        # A desk of several services (settings.services) filters by service, "undecided" included.
        "services": [*console.settings.services, UNDECIDED] if console.settings.services else [],
    }


@requires("agent")
async def queue_page(request: Request, user: User) -> Response:
    """The live queue (its items come from :func:`queue_json`), narrowed by the filters in the link."""
    console = console_of(request)
    options = await run_in_threadpool(filter_options, console)
    filters = Filters.parse(request.query_params)
    return render(
        request, "queue.html", user, page="queue", order=_order(request), filters=filters, options=options,
        js_extra={"filters": filters.query()},
    )


@requires("agent")
async def queue_json(request: Request, user: User) -> Response:
    """``GET /console/api/queue``: the queue now, for the page's live updates.

    The banner's emergency count ignores the filters: an emergency is never filtered away from it.
    """
    console = console_of(request)
    now = console.clock()
    items = await run_in_threadpool(console.view.load, console.engine, now, order=_order(request))
    filters = Filters.parse(request.query_params)
    shown = [i for i in items if filters.matches(i, console.zone)] if filters.active else items
    return JSONResponse(
        {
            "now": now.isoformat(),
            "emergencies": sum(1 for i in items if i.urgency == "emergency"),
            "emergency_items": [i.as_json() for i in items if i.urgency == "emergency"],
            "items": [item.as_json() for item in shown],
        },
        headers={"Cache-Control": "no-store"},
    )


@requires("agent")
async def next_message(request: Request, user: User) -> Response:
    """Open the waiting message after (or before) ``after`` in queue order."""
    console = console_of(request)
    items = await run_in_threadpool(console.view.load, console.engine, console.clock())
    ids = [i.id for i in items if i.urgency in ("emergency", "escalated", "review")]
    step = -1 if request.query_params.get("dir") == "prev" else 1
    try:
        after = int(request.query_params.get("after", "0"))
    except ValueError:
        after = 0
    if after in ids:
        position = ids.index(after) + step
        target = ids[position] if 0 <= position < len(ids) else None
    else:
        target = ids[0] if ids else None
    if target is None:
        return RedirectResponse(f"{PREFIX}/", status_code=303)
    return RedirectResponse(f"{PREFIX}/messages/{target}", status_code=303)


@requires("agent")
async def message_page(request: Request, user: User) -> Response:
    """The case view of one message. Reading it changes nothing: the page's script claims a free
    message with a POST (``/claim``) once it is open."""
    console = console_of(request)
    message_id = int(request.path_params["message_id"])

    def gather() -> dict[str, Any]:
        holder = console.desk.current_holder(message_id)
        file = load_case_file(console.engine, message_id)
        agents = [u for u in list_users(console.engine) if u.active]
        return {"holder": holder, "file": file, "agents": agents}

    try:
        found = await run_in_threadpool(gather)
    except StorageError as exc:
        raise HTTPException(404, str(exc)) from exc
    file = found["file"]
    m = file.message
    state = MessageState(m.state)
    holder = found["holder"]
    answerable = state in ANSWERABLE
    now = console.clock()
    waited = max((now - as_utc(m.received_at)).total_seconds(), 0)
    return render(
        request,
        "message.html",
        user,
        page="message",
        m=m,
        file=file,
        holder=holder,
        mine=holder == user.username,
        answerable=answerable,
        can_act=answerable and holder in (None, user.username),
        reopenable=state in REOPENABLE,
        waited=waited,
        sources=source_rows(m.decision, m.received_at),
        wait_level=console.view.wait_level(now - as_utc(m.received_at), emergency=m.intent == Intent.EMERGENCY),
        agents=found["agents"],
        intents=[str(i) for i in Intent],
        categories=categories_of(console.settings, m.service),
        category_labels=_category_labels(request, user, console, m.service),
        services=list(console.settings.services),
        faq_ids=console.faq_ids,
        revealed=revealed_ids(request),
        has_pii=has_pii(m.text),
        note_limit=MAX_NOTE,
        js_extra={"messageId": m.id, "lang": m.lang or "it", "claim": answerable and holder is None},
    )


def _category_labels(request: Request, user: User, console: Console, service: str | None) -> dict[str, str]:
    """The correction form's category names: the console's word, else the service's domain's."""
    lang = ui_language(request, user)
    words = STRINGS.get(lang, STRINGS["it"])
    return category_labels(console.settings, service, lang, lambda code: words.get(f"cat_{code}"))


def _service_of(console: Console, message_id: int) -> str | None:
    """The service a stored message belongs to (None when it does not exist: the correction refuses it)."""
    with read_session(console.engine) as session:
        row = session.get(Message, message_id)
        return row.service if row is not None else None


#: At most this many lines, stops or alerts in one correction.
MAX_LABELS = 30
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")


class NotReleased(DeskError):
    """A release asked by an agent who did not hold the message."""


def _bounded(value: str, limit: int, name: str) -> str:
    if len(value) > limit:
        msg = f"{name}: at most {limit} characters"
        raise BadInput(msg)
    return value


def _split(value: str, limit: int = 64) -> list[str]:
    parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if len(parts) > MAX_LABELS:
        msg = f"at most {MAX_LABELS} lines, stops or alerts"
        raise BadInput(msg)
    return [_bounded(part, limit, "label") for part in parts]


def _language(value: str) -> str:
    if not _LANGUAGE.match(value):
        msg = f"lang: a language code such as it or en (got {value[:20]!r})"
        raise BadInput(msg)
    return value


def _split_places(value: str) -> list[str]:
    """The places of the correction form, separated by ';' or new lines (a label may hold a comma)."""
    parts = [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]
    if len(parts) > MAX_LABELS:
        msg = f"at most {MAX_LABELS} places"
        raise BadInput(msg)
    return [_bounded(part, 255, "place") for part in parts]


def _places_of(console: Console, message_id: int) -> dict[str, Subject]:
    """The places a stored message names now, by subject key (a correction may keep them as they are)."""
    with read_session(console.engine) as session:
        row = session.get(Message, message_id)
        subjects = (row.decision or {}).get("subjects") or () if row is not None else ()
    found = {}
    for data in subjects:
        try:
            subject = Subject.from_dict(data)
        except (KeyError, ValueError, TypeError):
            continue
        if subject.kind not in TRANSIT_KINDS:
            found[subject.key] = subject
    return found


def _corrected_service(console: Console, value: str) -> str | None:
    """The service a correction gives the message (None: left as it is); one of the desk's services."""
    if not value:
        return None
    if value not in console.settings.services:
        known = ", ".join(console.settings.services) or "none (one service)"
        raise BadInput(f"service: unknown service {value!r}; known services: {known}")
    return value


#: Where the agent lands after each action, and the note shown there.
_AFTER = {
    "approve": ("queue", "approved_flash"),
    "send": ("queue", "sent_flash"),
    "escalate": ("queue", "escalated_flash"),
    "close": ("queue", "closed_flash"),
    "noreply": ("queue", "closed_flash"),
    "release": ("queue", "released_flash"),
    "claim": ("message", "held_by_you"),
    "takeover": ("message", "taken_flash"),
    "assign": ("message", "assigned_flash"),
    "correct": ("message", "corrected"),
    "service": ("message", "service_decided"),
    "mine": ("message", "assigned_self_flash"),
    "note": ("message", "note_added"),
}


@requires("agent")
async def message_action(request: Request, user: User) -> Response:
    """``POST /console/messages/<id>/<action>``: approve, send, escalate, close, ..."""
    console = console_of(request)
    desk = console.desk
    message_id = int(request.path_params["message_id"])
    action = request.path_params["action"]
    if action not in _AFTER:
        return JSONResponse({"error": f"unknown action {action!r}"}, status_code=404)
    form = await request.form()

    def field(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    me = user.username

    def act() -> None:
        if action == "approve":
            desk.approve(message_id, me)
        elif action == "send":
            left = unfilled(field("text"))
            if left:
                names = ", ".join(f"{{{name}}}" for name in left)
                raise BadInput(translator(ui_language(request, user))("unfilled", names=names))
            desk.send(message_id, me, field("text"))
        elif action == "escalate":
            desk.escalate(message_id, me, field("note").strip() or None)
        elif action == "close":
            desk.close(message_id, me, field("note").strip() or None)
        elif action == "noreply":
            desk.close(message_id, me, NO_REPLY_NOTE)
        elif action == "release":
            if not desk.release(message_id, me):
                raise NotReleased(message_id)
        elif action == "claim":
            holder = desk.claim(message_id, me)
            if holder != me:
                if holder is None:
                    msg = f"message {message_id} cannot be taken in its state"
                    raise DeskError(msg)
                raise ClaimedByOther(message_id, holder)
        elif action == "takeover":
            desk.take_over(message_id, me)
        elif action == "assign":
            if not role_at_least(user.role, "supervisor"):
                msg = "assigning work needs the supervisor role"
                raise PermissionError(msg)
            desk.assign(message_id, me, field("to"))
        elif action == "mine":
            desk.assign_self(message_id, me)
        elif action == "note":
            add_note(console.engine, message_id, me, field("text"), at=console.clock())
        elif action == "service":  # a person decides the service the desk could not (bot.services)
            desk.check_not_held(message_id, me)
            service = field("service")
            if service not in console.settings.services:
                known = ", ".join(console.settings.services) or "none (one service)"
                raise BadInput(f"service: unknown service {service!r}; known services: {known}")
            decide_service(console.engine, message_id, service, agent_actor(me), at=console.clock())
        elif action == "correct":
            desk.check_not_held(message_id, me)
            service = _corrected_service(console, field("service"))
            whose = service or _service_of(console, message_id)
            places = None
            if "places" in form:  # the form names the message's places: streets, areas, service points, addresses
                places = resolve_places(console.settings, whose, _split_places(field("places")),
                                        kept=_places_of(console, message_id))
            label = correction_label(
                lang=_language(field("lang") or "it"),
                intent=field("intent"),
                routes=_split(field("routes"), 64),
                stops=_split(field("stops"), 255),
                faq_id=_bounded(field("faq_id").strip(), 128, "faq_id") or None,
                alert_ids=_split(field("alert_ids"), 128),
                category=field("category") or None,
                categories=categories_of(console.settings, whose),
                places=places,
                service=service,
            )
            record_correction(console.engine, message_id, agent_actor(me), label, at=console.clock())

    try:
        await run_in_threadpool(act)
    except PermissionError as exc:
        return JSONResponse({"error": str(exc)}, status_code=403)
    except BadInput as exc:
        return _refused(request, message_id, 422, str(exc))
    except NotReleased:
        return _refused(request, message_id, 409, translator(ui_language(request, user))("not_released"))
    except ClaimedByOther as exc:
        return _refused(request, message_id, 409, str(exc), holder=exc.holder)
    except SportelloError as exc:
        return _refused(request, message_id, 409, str(exc))
    where, note = _AFTER[action]
    if wants_json(request):
        return JSONResponse({"ok": True, "message_id": message_id, "action": action})
    flash(request, note)
    target = f"{PREFIX}/" if where == "queue" else f"{PREFIX}/messages/{message_id}"
    return RedirectResponse(target, status_code=303)


def _refused(request: Request, message_id: int, status: int, reason: str, holder: str | None = None) -> Response:
    if wants_json(request):
        return JSONResponse({"error": reason, "holder": holder}, status_code=status)
    request.session["flash"] = [reason, {}]  # already a sentence: shown as it is
    return RedirectResponse(f"{PREFIX}/messages/{message_id}", status_code=303)


@requires("agent")
async def search_page(request: Request, user: User) -> Response:
    """``GET /console/search?q=&channel=&...``: messages and case notes found, newest first (a link saves it)."""
    console = console_of(request)
    filters = Filters.parse(request.query_params)
    options = await run_in_threadpool(filter_options, console)
    result = None
    if filters.active:
        result = await run_in_threadpool(search, console.engine, filters, console.view, console.clock(), console.zone)
    return render(
        request, "search.html", user, page="search", filters=filters, options=options, result=result,
    )


@requires("agent")
async def canned_json(request: Request, user: User) -> Response:
    """``GET /console/api/canned?q=&lang=&message=``: canned replies matching the search, shipped ones
    first; with ``message``, the placeholders are filled for that message and its intent's replies lead."""
    console = console_of(request)
    params = request.query_params
    raw_id = params.get("message", "")
    message_id = int(raw_id) if raw_id.isdigit() else None

    def gather() -> list[dict[str, Any]]:
        values, intent, service = _placeholder_values(console, message_id, user)
        lang = params.get("lang") or None
        found = [  # the replies of the message's service (every service's when it has none yet)
            {"id": f"shipped:{r.key}", "title": r.title, "lang": r.lang, "text": fill(r.text, values), "shipped": True,
             "lead": intent in r.intents}
            for r in shipped_replies(domains_of(console.settings, service))
            if (lang is None or r.lang == lang) and _has_words(f"{r.title} {r.text}", params.get("q", ""))
        ]
        found.sort(key=lambda r: not r["lead"])
        own = search_canned(console.engine, params.get("q", ""), lang)
        found += [
            {"id": r.id, "title": r.title, "lang": r.lang, "text": fill(r.text, values), "shipped": False, "lead": False}
            for r in own
        ]
        return found

    return JSONResponse({"replies": await run_in_threadpool(gather)})


def _has_words(text: str, query: str) -> bool:
    folded = text.casefold()
    return all(word in folded for word in query.casefold().split())


def _placeholder_values(
    console: Console, message_id: int | None, user: User
) -> tuple[dict[str, str], str | None, str | None]:
    """The placeholders' values for a message, its intent and its service (None, None without a message)."""
    operator = console.settings.operator
    values = {
        "agent_first_name": first_name(user.username),
        "phone": operator.customer_phone,
        "emergency_number": operator.emergency_number,
    }
    if message_id is None:
        return values, None, None
    with read_session(console.engine) as session:
        row = session.get(Message, message_id)
    if row is None:
        return values, None, None
    service = (console.settings.services or {}).get(row.service or "")
    if service is not None and service.customer_phone:
        values["phone"] = service.customer_phone  # the service's own number
    if row.case_id is not None:
        values["case"] = str(row.case_id)
    decision = row.decision or {}
    routes = decision.get("routes") or []
    if routes:
        values["line"] = str(routes[0])
    places = [s for s in decision.get("subjects") or () if s.get("kind") not in {str(k) for k in TRANSIT_KINDS}]
    if places:
        values["place"] = str(places[0].get("label") or places[0].get("id"))
    return values, row.intent, (row.service if console.settings.services else None)


@requires("agent")
async def suggest_json(request: Request, user: User) -> Response:
    """``GET /console/api/suggest?message=``: agents' past answers to similar messages, with their case."""
    console = console_of(request)
    raw_id = request.query_params.get("message", "")
    if not raw_id.isdigit():
        return JSONResponse({"error": "message: a message id is required"}, status_code=422)
    found = await run_in_threadpool(suggest, console.engine, int(raw_id))
    return JSONResponse(
        {
            "suggestions": [
                {"text": s.text, "score": s.score, "message_id": s.message_id, "case_id": s.case_id, "agent": s.agent,
                 "asked": s.asked, "url": f"{PREFIX}/messages/{s.message_id}"}
                for s in found
            ]
        },
        headers={"Cache-Control": "no-store"},
    )


@requires("agent")
async def health_json(request: Request, user: User) -> Response:
    """``GET /console/api/health``: channels, workers and the age of the live data, for staff only."""
    status = request.app.state.health
    details = await run_in_threadpool(status) if status else {}
    return JSONResponse({"ok": True, **details}, headers={"Cache-Control": "no-store"})
