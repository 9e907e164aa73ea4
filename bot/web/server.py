"""The Starlette application: web chat page, chat API, health, and the console when present.

Every request passes the body cap first, and every response carries the security headers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.ops.health import Component, HealthCheck, HealthReport, Status
from bot.ops.metrics import metrics_page, metrics_registry
from bot.web import chat
from bot.web.chat_language import COOKIE, WORDS, chat_language
from bot.web.headers import SecurityHeaders
from bot.web.limits import BodyLimit
from storage.queue import MessageQueue

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


async def chat_page(request: Request) -> Response:
    """The citizen's chat page, in their language (``?lang=`` switches it and is remembered); ``?service=``
    opens it for one service of a desk of several (a city's water page), whose messages then go to it unread."""
    settings: Settings = request.app.state.settings
    lang = chat_language(request)
    service = request.query_params.get("service")
    if service is not None and chat.unknown_service(settings, service):
        return JSONResponse({"error": chat.unknown_service(settings, service)}, status_code=404)
    label = settings.services[service].label or service if service else None
    response = templates.TemplateResponse(
        request,
        "chat.html",
        {"operator": settings.operator.name, "max_chars": settings.web.max_message_chars, "lang": lang,
         "other": "en" if lang == "it" else "it", "w": WORDS[lang], "service": service, "service_label": label},
    )
    if request.query_params.get("lang") in WORDS:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=settings.web.secure_cookies)
    return response


#: Longest wait for the checks: a database that does not answer in time is down.
HEALTH_TIMEOUT_SECONDS = 5.0


async def health_page(request: Request) -> JSONResponse:
    """Each part's status, 503 when one is down; the reasons are for staff at ``/console/api/health``."""
    check: HealthCheck = request.app.state.health_check
    try:
        report = await asyncio.wait_for(run_in_threadpool(check), HEALTH_TIMEOUT_SECONDS)
    except TimeoutError:
        report = HealthReport((Component("database", Status.DOWN, "no answer in time"),))
    return JSONResponse(report.public(), status_code=report.http_status, headers={"Cache-Control": "no-store"})


def build_web_app(
    settings: Settings,
    engine: Engine,
    queue: MessageQueue,
    *,
    clock: Callable[[], datetime],
    extra_routes: list[BaseRoute] | None = None,
    health_status: Callable[[], dict[str, Any]] | None = None,
    health_check: HealthCheck | None = None,
) -> Starlette:
    """The ASGI application serving the chat, its API and any extra routes (the console).

    ``health_check`` knows this process's parts (workers, channels, feeds); without one only
    the database is checked.
    """
    check = health_check or HealthCheck(engine, clock)
    routes: list[BaseRoute] = [
        Route("/", chat_page, methods=["GET"]),
        Route("/health", health_page, methods=["GET"]),
        *([Route("/metrics", metrics_page, methods=["GET"])] if settings.metrics.enabled else []),
        *chat.routes,
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        *(extra_routes or []),
    ]
    middleware = [
        Middleware(BodyLimit, max_bytes=settings.web.max_body_bytes),
        Middleware(SecurityHeaders),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.chat_limits = chat.ChatLimits.from_settings(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.queue = queue
    app.state.clock = clock
    app.state.health_status = health_status
    app.state.health_check = check
    app.state.metrics_registry = metrics_registry(check) if settings.metrics.enabled else None
    return app
