"""The console's shared parts (database, queue, desk, templates) and page rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.console.auth import PREFIX, csrf_token
from bot.console.desk import Desk
from bot.console.i18n import LANGUAGES, STRINGS, translator
from bot.console.queueview import QueueView, place_keys, place_names
from bot.console.throttle import LoginThrottle
from bot.console.users import role_at_least
from bot.domain import as_utc
from bot.privacy.pii import mask
from storage.models import User
from storage.queue import MessageQueue

HERE = Path(__file__).resolve().parent


@dataclass
class Console:
    """Everything a console request needs."""

    settings: Settings
    engine: Engine
    queue: MessageQueue
    clock: Callable[[], datetime]
    desk: Desk
    view: QueueView
    templates: Jinja2Templates
    faq_ids: tuple[str, ...] = ()
    reports: bool = False
    throttle: LoginThrottle | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The operator's time zone (days in filters and reports are local days)."""
        return ZoneInfo(self.settings.operator.timezone)

    @property
    def idle(self) -> timedelta:
        """A session unused this long has ended."""
        return timedelta(minutes=self.settings.console.idle_minutes)

    @property
    def absolute(self) -> timedelta:
        """A session this old has ended, however active."""
        return timedelta(hours=self.settings.console.session_hours)

    @classmethod
    def build(
        cls,
        settings: Settings,
        engine: Engine,
        queue: MessageQueue,
        clock: Callable[[], datetime],
        *,
        faq_ids: tuple[str, ...] = (),
        reports: bool = False,
    ) -> Console:
        """Wire the console's parts from the service's settings, database and queue."""
        options = settings.console
        templates = Jinja2Templates(directory=str(HERE / "templates"))
        zone = ZoneInfo(settings.operator.timezone)
        templates.env.filters["local"] = lambda moment: _local(moment, zone, clock())
        templates.env.filters["iso"] = lambda moment: as_utc(moment).isoformat() if moment else ""
        templates.env.filters["duration"] = duration
        templates.env.filters["mask"] = mask
        templates.env.globals["place_names"] = place_names
        templates.env.globals["place_keys"] = place_keys
        return cls(
            settings=settings,
            engine=engine,
            queue=queue,
            clock=clock,
            desk=Desk(queue, claim_minutes=options.claim_minutes),
            view=QueueView(
                target_minutes=options.response_target_minutes,
                claim_minutes=options.claim_minutes,
                recent_hours=options.recent_auto_hours,
                emergency_target_minutes=options.emergency_target_minutes,
            ),
            templates=templates,
            faq_ids=faq_ids,
            reports=reports,
            throttle=LoginThrottle.from_settings(options),
        )


def _local(moment: datetime | str | None, zone: ZoneInfo, now: datetime) -> str:
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = as_utc(moment).astimezone(zone)
    if local.date() == as_utc(now).astimezone(zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%d/%m %H:%M")


def duration(value: timedelta | float | int) -> str:
    """A waiting time as people say it: 45 s, 12 min, 3 h 05."""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    hours, rest = divmod(seconds, 3600)
    if hours < 48:
        return f"{hours} h {rest // 60:02d}"
    return f"{hours // 24} d"


def console_of(request: Request) -> Console:
    """The console serving ``request``."""
    console: Console = request.app.state.console
    return console


def ui_language(request: Request, user: User | None) -> str:
    """The user's language, or the one picked on the sign-in page."""
    if user is not None and user.language in LANGUAGES:
        return user.language
    picked = request.session.get("lang")
    return picked if picked in LANGUAGES else "it"


def flash(request: Request, key: str, **values: Any) -> None:
    """Leave a one-time note (a string key, translated when shown) for the next page."""
    request.session["flash"] = [key, {k: str(v) for k, v in values.items()}]


def render(
    request: Request,
    template: str,
    user: User | None,
    *,
    page: str = "",
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render a console page with the user's language, CSRF token, navigation and flash note."""
    console = console_of(request)
    lang = ui_language(request, user)
    t = translator(lang)
    note = request.session.pop("flash", None)
    shown = t(note[0], **note[1]) if isinstance(note, list) and len(note) == 2 else None
    settings = console.settings
    role = user.role if user else "agent"
    values = {
        "t": t,
        "lang": lang,
        "user": user,
        "csrf": csrf_token(request),
        "flash": shown,
        "prefix": PREFIX,
        "page": page,
        "operator": settings.operator.name,
        "is_supervisor": user is not None and role_at_least(role, "supervisor"),
        "is_admin": user is not None and role_at_least(role, "admin"),
        "reports": console.reports,
        "js_config": {
            "prefix": PREFIX,
            "page": page,
            "me": user.username if user else None,
            "pollMs": int(settings.console.poll_seconds * 1000),
            "targetMinutes": settings.console.response_target_minutes,
            "strings": STRINGS[lang],
            **context.pop("js_extra", {}),
        },
        **context,
    }
    return console.templates.TemplateResponse(request, template, values, status_code=status_code)
