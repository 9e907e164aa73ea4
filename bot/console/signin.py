"""Signing in and out, and switching the console's language."""

from __future__ import annotations

import math
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console.auth import PREFIX, check_csrf, current_user, requires, safe_next, sign_in, sign_out
from bot.console.context import console_of, render, ui_language
from bot.console.i18n import LANGUAGES, translator
from bot.console.users import authenticate, update_user
from bot.web.inputs import is_storable
from bot.web.limits import client_address
from storage.models import User

#: Longer user names are cut; longer passwords are wrong without being hashed.
MAX_FIELD = 64
MAX_PASSWORD = 1024


async def login_page(request: Request) -> Response:
    """The sign-in form (``?lang=en`` switches its language)."""
    if request.query_params.get("lang") in LANGUAGES:
        request.session["lang"] = request.query_params["lang"]
    user = await run_in_threadpool(current_user, request)
    target = safe_next(request.query_params.get("next"))
    if user is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", None, page="login", next=target, username="", error=None)


async def login(request: Request) -> Response:
    """Check the password and start a session; a wrong one shows the form again (401).

    Too many failures for the account or the address pause sign-in (429, even with the right
    password); when all password-check slots are busy the answer is 503 at once.
    """
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username") or "").strip()[:MAX_FIELD]
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    console = console_of(request)
    throttle = console.throttle
    assert throttle is not None
    t = translator(ui_language(request, None))
    address = client_address(request)

    def refuse(status: int, error: str, retry_after: int) -> Response:
        page = render(request, "login.html", None, page="login", next=target, username=username, error=error,
                      status_code=status)
        page.headers["Retry-After"] = str(retry_after)
        return page

    paused = throttle.paused_for(username, address, console.clock())
    if paused > timedelta(0):
        minutes = max(1, math.ceil(paused.total_seconds() / 60))
        return refuse(429, t("login_paused", minutes=minutes), math.ceil(paused.total_seconds()))
    if len(password) > MAX_PASSWORD or not is_storable(username) or not is_storable(password):
        user = None  # no hash spent on what cannot be anyone's password
    else:
        if not throttle.try_enter():
            return refuse(503, t("login_busy"), 1)
        try:
            user = await run_in_threadpool(authenticate, console.engine, username, password)
        finally:
            throttle.leave()
    if user is None:
        throttle.failed(username, address, console.clock())
        return render(
            request, "login.html", None, page="login", next=target, username=username, error=t("bad_login"),
            status_code=401,
        )
    throttle.succeeded(username)
    await run_in_threadpool(sign_in, request, user)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session, on the server too."""
    await check_csrf(request)
    await run_in_threadpool(sign_out, request)
    return RedirectResponse(f"{PREFIX}/login", status_code=303)


@requires("agent")
async def switch_language(request: Request, user: User) -> Response:
    """Remember the user's console language."""
    form = await request.form()
    lang = str(form.get("lang") or "")
    if lang in LANGUAGES:
        await run_in_threadpool(update_user, console_of(request).engine, user.username, language=lang)
    return RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
