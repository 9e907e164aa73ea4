"""Signing in and out, and switching the console's language."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.console.auth import PREFIX, check_csrf, current_user, requires, safe_next, sign_in, sign_out
from bot.console.context import console_of, render, ui_language
from bot.console.i18n import LANGUAGES, translator
from bot.console.users import authenticate, update_user
from storage.models import User


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
    """Check the password and start a session; a wrong one shows the form again (401)."""
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    engine = console_of(request).engine
    user = await run_in_threadpool(authenticate, engine, username, password)
    if user is None:
        error = translator(ui_language(request, None))("bad_login")
        return render(
            request, "login.html", None, page="login", next=target, username=username, error=error,
            status_code=401,
        )
    sign_in(request, user)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    await check_csrf(request)
    sign_out(request)
    return RedirectResponse(f"{PREFIX}/login", status_code=303)


@requires("agent")
async def switch_language(request: Request, user: User) -> Response:
    """Remember the user's console language."""
    form = await request.form()
    lang = str(form.get("lang") or "")
    if lang in LANGUAGES:
        await run_in_threadpool(update_user, console_of(request).engine, user.username, language=lang)
    return RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
