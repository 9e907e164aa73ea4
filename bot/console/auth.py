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

from bot.console.sessions import end_session, session_user, start_session
from bot.console.users import find_user, role_at_least
from bot.web.inputs import is_storable
from storage.models import User

PREFIX = "/console"
SESSION_COOKIE = "sportello_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
#: The cookie's key holding the session secret (the session itself lives in ``console_sessions``).
SESSION_FIELD = "sid"

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
    """Start a fresh server-side session for ``user`` (a new CSRF token too). Blocking: call in a thread."""
    console = request.app.state.console
    secret = start_session(
        console.engine, user.username, console.clock(), idle=console.idle, absolute=console.absolute
    )
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.session[SESSION_FIELD] = secret
    csrf_token(request)


def sign_out(request: Request) -> None:
    """End the session on the server (a copied cookie stops working too). Blocking: call in a thread."""
    secret = request.session.get(SESSION_FIELD)
    if isinstance(secret, str):
        end_session(request.app.state.console.engine, secret)
    request.session.clear()


def current_user(request: Request) -> User | None:
    """The signed-in, still active user of a live session, or None. Blocking: call in a thread."""
    secret = request.session.get(SESSION_FIELD)
    if not isinstance(secret, str):
        return None
    console = request.app.state.console
    username = session_user(console.engine, secret, console.clock(), idle=console.idle, absolute=console.absolute)
    if username is None:
        return None
    user = find_user(console.engine, username)
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
            if not await inputs_storable(request):
                return JSONResponse({"error": "NUL characters or invalid Unicode in the request"}, status_code=400)
            if not role_at_least(user.role, role):
                raise HTTPException(403, f"this needs the {role} role")
            return await endpoint(request, user)

        return handler

    return wrap


async def inputs_storable(request: Request) -> bool:
    """Whether every path part, query value and form field can be stored as text."""
    values = [*map(str, request.path_params.values()), *request.query_params.values()]
    if request.method == "POST":
        form = await request.form()
        values.extend(v for v in form.values() if isinstance(v, str))
    return all(is_storable(value) for value in values)


def safe_next(target: str | None) -> str:
    """A post-sign-in destination inside the console (never another site)."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"
