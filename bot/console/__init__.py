"""The care agents' console: sign in, work the reply queue, answer, correct the bot."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import Settings
from bot.console import admin, pages, privacy, signin
from bot.console.auth import PREFIX, SESSION_COOKIE
from bot.console.context import HERE, Console
from storage.queue import MessageQueue

if TYPE_CHECKING:
    from bot.app import Application


def build_console(
    settings: Settings,
    engine: Engine,
    queue: MessageQueue,
    *,
    clock: Callable[[], datetime],
    faq_ids: tuple[str, ...] = (),
    extra_routes: list[BaseRoute] | None = None,
    health: Callable[[], dict[str, Any]] | None = None,
) -> Starlette:
    """The console as an ASGI app with its own signed-cookie sessions, to mount at /console.

    ``extra_routes`` (the supervisors' report pages) share the console's session and sign-in.
    """
    routes: list[BaseRoute] = [
        Route("/", pages.queue_page, methods=["GET"]),
        Route("/login", signin.login_page, methods=["GET"]),
        Route("/login", signin.login, methods=["POST"]),
        Route("/logout", signin.logout, methods=["POST"]),
        Route("/lang", signin.switch_language, methods=["POST"]),
        Route("/api/queue", pages.queue_json, methods=["GET"]),
        Route("/api/canned", pages.canned_json, methods=["GET"]),
        Route("/api/suggest", pages.suggest_json, methods=["GET"]),
        Route("/api/health", pages.health_json, methods=["GET"]),
        Route("/next", pages.next_message, methods=["GET"]),
        Route("/search", pages.search_page, methods=["GET"]),
        Route("/messages/{message_id:int}", pages.message_page, methods=["GET"]),
        Route("/messages/{message_id:int}/reveal", privacy.reveal, methods=["POST"]),
        Route("/messages/{message_id:int}/{action:str}", pages.message_action, methods=["POST"]),
        Route("/bulk", admin.bulk_page, methods=["GET"]),
        Route("/bulk", admin.bulk_answer, methods=["POST"]),
        Route("/canned", admin.canned_page, methods=["GET"]),
        Route("/canned", admin.canned_save, methods=["POST"]),
        Route("/canned/{canned_id:int}/delete", admin.canned_delete, methods=["POST"]),
        Route("/users", admin.users_page, methods=["GET"]),
        Route("/users", admin.users_add, methods=["POST"]),
        Route("/users/{username:str}", admin.users_update, methods=["POST"]),
        Route("/team", admin.team_page, methods=["GET"]),
        Route("/team/notices/{notice_id:int}/{decision:str}", admin.notice_decide, methods=["POST"]),
        Route("/privacy", privacy.privacy_page, methods=["GET"]),
        Route("/privacy/export", privacy.privacy_export, methods=["POST"]),
        Route("/privacy/erase", privacy.privacy_erase, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="console-static"),
        *(extra_routes or []),
    ]
    web = settings.web
    session = Middleware(
        SessionMiddleware,
        secret_key=web.secret_key or secrets.token_urlsafe(32),
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.console.session_hours * 3600),
        path=PREFIX,
        same_site="lax",
        https_only=web.secure_cookies,
    )
    app = Starlette(routes=routes, middleware=[session])
    app.state.console = Console.build(
        settings, engine, queue, clock, faq_ids=faq_ids, reports=bool(extra_routes)
    )
    app.state.health = health
    return app


def console_routes(app: Application) -> list[BaseRoute]:
    """The console's routes for the service's web app (``Application.web_app`` mounts them)."""
    try:
        faq_ids = tuple(entry.id for entry in app.knowledge.faq.entries)
    except AttributeError:  # a knowledge store without a FAQ: no suggestions in the form
        faq_ids = ()
    from bot.insight.pages import insight_routes

    reports = insight_routes(app)
    console = build_console(
        app.settings, app.engine, app.queue, clock=app.clock, faq_ids=faq_ids, extra_routes=reports,
        health=app.health,
    )
    return [Mount(PREFIX, app=console)]
