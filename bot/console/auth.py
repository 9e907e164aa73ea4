"""Who is signed in, what their role lets them do, and CSRF tokens bound to the session."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.console.users import find_user, role_at_least
from storage.models import User

PREFIX = "/console"
SESSION_COOKIE = "sportello_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"

Endpoint = Callable[[Request, User], Awaitable[Response]]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    """Reject a POST whose token (form field or header) does not match the session's: 403."""
    expected = request.session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page and try again")


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too)."""
    request.session.clear()
    request.session["user"] = user.username
    csrf_token(request)


def sign_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


def current_user(request: Request) -> User | None:
    """The signed-in, still active user, or None."""
    username = request.session.get("user")
    if not isinstance(username, str):
        return None
    engine = request.app.state.console.engine
    user = find_user(engine, username)
    if user is None or not user.active:
        return None
    return user


def wants_json(request: Request) -> bool:
    """Whether the caller is the console's script rather than a form."""
    return request.url.path.startswith(f"{PREFIX}/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def requires(role: str = "agent") -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Let the endpoint run only for a signed-in user with ``role`` or above; POSTs need CSRF."""

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def handler(request: Request) -> Response:
            user = await run_in_threadpool(current_user, request)
            if user is None:
                if wants_json(request):
                    return JSONResponse({"error": "sign in first"}, status_code=401)
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"{PREFIX}/login?next={target}", status_code=303)
            if request.method == "POST":
                await check_csrf(request)
            if not role_at_least(user.role, role):
                raise HTTPException(403, f"this needs the {role} role")
            return await endpoint(request, user)

        return handler

    return wrap


def safe_next(target: str | None) -> str:
    """A post-sign-in destination inside the console (never another site)."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"
