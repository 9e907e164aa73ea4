"""The public transparency pages and their open data, served without sign-in.

``/trasparenza`` (the network today, lines in trouble first, their last days in brief),
``/trasparenza/linea/<line>`` (a line day by day), ``/trasparenza/dati/rete.csv|json`` and
``/trasparenza/dati/linea/<line>.csv|json``. Pages are built in a thread (the database is
never called from the event loop), kept for ``public.cache_seconds``, and carry a
``Server-Timing`` header with the time it took to build them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.config import Settings
from bot.domain import as_utc
from bot.insight.errors import InsightError
from bot.insight.service import Schedule, local_today
from bot.public import export, svg
from bot.public.counts import is_hidden
from bot.public.figures import LineHistory, PublicFigures
from bot.public.words import language, words
from knowledge.alerts import AlertIndex
from knowledge.gtfs import GtfsIndex

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
PREFIX = "/trasparenza"
templates = Jinja2Templates(directory=str(HERE / "templates"))
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_CACHE_LIMIT = 256


class PublicSite:
    """The pages, bound to one service's database, settings, static feed, alerts and clock."""

    def __init__(self, settings: Settings, engine: Engine, *, clock: Callable[[], datetime],
                 gtfs: GtfsIndex | None, alerts: Callable[[], AlertIndex | None], ready: bool = False) -> None:
        self.settings = settings
        self.clock = clock
        self.tz = settings.operator.timezone
        self.public = settings.public
        self.figures = PublicFigures.for_settings(engine, gtfs, settings, alerts=alerts)
        # Compiled now, as the service starts, not by the first visitor.
        for name in templates.env.list_templates():
            templates.get_template(name)
        self._cache: dict[tuple[str, ...], tuple[float, Response]] = {}
        self._lock = threading.Lock()
        if ready:
            self.get_ready(gtfs)

    def get_ready(self, gtfs: GtfsIndex | None) -> None:
        """Before the server takes requests: keep the figures of the days that are over and not yet
        kept (what ``public:rollup`` does, so no line page counts a month of trip updates while the
        job has not run yet; after the first start only the days closed since, a few milliseconds a
        line), then build the network's figures and one line's once: the month's kept days are read
        into memory and every statement is compiled, so the first visitor waits no longer than the
        next one."""
        now = self.clock()
        today = local_today(now, self.tz)
        began = time.perf_counter()
        try:
            kept = self.figures.fill(today=today, now=now)
        except SQLAlchemyError as exc:  # another process keeping the same days: its rows serve as well
            log.info("public: days not kept before start (%s); pages count what is missing", exc.__class__.__name__)
        else:
            if kept:
                log.info("public: kept the figures of %d line days that are over before serving, in %.1f s",
                         kept, time.perf_counter() - began)
        self.figures.network(today=today, now=now)
        first = min(gtfs.routes, default=None) if gtfs is not None else None
        if first is not None:
            self.figures.line(first, today=today, now=now)

    # -- plumbing ------------------------------------------------------------------------------
    async def _serve(self, request: Request, key: tuple[str, ...], build: Callable[[], Response]) -> Response:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        started = time.perf_counter()
        response, cpu = await run_in_threadpool(_with_cpu, build)
        took = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={took:.1f}, cpu;dur={cpu:.1f}"
        response.headers["Cache-Control"] = f"public, max-age={int(self.public.cache_seconds)}"
        if response.status_code == 200 and self.public.cache_seconds > 0:
            with self._lock:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[key] = (now + self.public.cache_seconds, response)
        return response

    def _day(self, request: Request, now: datetime) -> date:
        today = local_today(now, self.tz)
        asked = request.query_params.get("giorno") or request.query_params.get("day") or ""
        try:
            chosen = date.fromisoformat(asked) if asked else today
        except ValueError:
            chosen = today
        return min(chosen, today)

    def _context(self, request: Request, lang: str, now: datetime, **extra: Any) -> dict[str, Any]:
        t = words(lang)
        other = "en" if lang == "it" else "it"
        query = dict(request.query_params)
        query["lang"] = other
        switch = request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
        local = as_utc(now).astimezone(self._zone())
        return {"lang": lang, "t": t, "other_lang": other, "switch": switch, "prefix": PREFIX,
                "operator": self.settings.operator.name, "licence": self.public.licence,
                "licence_url": self.public.licence_url, "least": self.public.min_count,
                "updated": t["updated"].format(at=local.strftime("%d/%m/%Y %H:%M"), tz=self.tz),
                "fmt": _Formats(lang), "today": local_today(now, self.tz), **extra}

    def _zone(self) -> Any:
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.tz)

    def _licence(self) -> str:
        return export.licence_line(self.public.licence, self.public.licence_url, self.settings.operator.name)

    # -- pages ---------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        """The network today, lines in trouble first, and each line's last days in brief."""
        lang = language(request)
        return await self._serve(request, ("index", lang, request.url.query), lambda: self._index(request, lang))

    def _index(self, request: Request, lang: str) -> Response:
        now = self.clock()
        day = self._day(request, now)
        network = self.figures.network(today=day, now=now)
        context = self._context(request, lang, now, page="index", network=network, day=day,
                                why=_why(network.schedule), data_query=f"?giorno={day.isoformat()}",
                                target=f"{self.settings.console.response_target_minutes:g}")
        return templates.TemplateResponse(request, "public_index.html", context)

    async def line(self, request: Request) -> Response:
        """One line, day by day over the last days."""
        lang = language(request)
        name = request.path_params["line"]
        return await self._serve(request, ("line", name, lang, request.url.query),
                                 lambda: self._line(request, lang, name))

    def _line(self, request: Request, lang: str, name: str) -> Response:
        now = self.clock()
        day = self._day(request, now)
        try:
            history = self.figures.line(name, today=day, now=now)
        except InsightError:
            context = self._context(request, lang, now, page="line", name=name)
            return templates.TemplateResponse(request, "public_missing.html", context, status_code=404)
        t = words(lang)
        oldest_first = list(reversed(history.days))
        chart = svg.stacked_bars(
            [d.day.strftime("%d/%m") for d in oldest_first],
            [svg.Series("s-run", t["run"], [d.run for d in oldest_first]),
             svg.Series("s-cancelled", t["cancelled"], [d.cancelled for d in oldest_first]),
             svg.Series("s-missed", t["missed"], [d.missed or 0 for d in oldest_first]),
             svg.Series("s-unrecorded", t["not_recorded"],
                        [(d.not_recorded or 0) if d.has_data else 0 for d in oldest_first])],
            title=f"{history.label} · {t['chart_title']}",
            desc=t["chart_desc"].format(days=len(history.days)), ident="trips",
        )
        context = self._context(request, lang, now, page="line", history=history, chart=chart,
                                why=_why(history.schedule), day=day,
                                implausible_help=t["implausible_help"].format(minutes=history.plausible_limit_s // 60),
                                in_time=t["care_in_time"].format(minutes=f"{self.settings.console.response_target_minutes:g}"),
                                data_query=f"?giorno={day.isoformat()}", alert_text=self.figures.alert_text,
                                reports_since=self.figures.reports_since(day))
        return templates.TemplateResponse(request, "public_line.html", context)

    async def find(self, request: Request) -> Response:
        """The line search form's target: straight to the line's page."""
        name = (request.query_params.get("linea") or "").strip()[:32]
        if not name:
            return RedirectResponse(PREFIX, status_code=303)
        return RedirectResponse(f"{PREFIX}/linea/{quote(name, safe='')}", status_code=303)

    # -- data ----------------------------------------------------------------------------------
    async def network_data(self, request: Request) -> Response:
        """The network figures as CSV or JSON."""
        fmt = request.path_params["fmt"]
        if fmt not in MEDIA:
            return Response("csv or json", status_code=404)
        return await self._serve(request, ("rete", fmt, request.url.query), lambda: self._network_data(request, fmt))

    def _network_data(self, request: Request, fmt: str) -> Response:
        now = self.clock()
        network = self.figures.network(today=self._day(request, now), now=now)
        if fmt == "csv":
            body = export.to_csv(export.NETWORK_COLUMNS, export.network_rows(network), self._licence())
        else:
            body = export.to_json(network, self.public.licence, self.public.licence_url, self.settings.operator.name)
        return self._data(body, fmt, f"rete-{network.day.isoformat()}")

    async def line_data(self, request: Request) -> Response:
        """One line's days as CSV or JSON."""
        fmt, name = request.path_params["fmt"], request.path_params["line"]
        if fmt not in MEDIA:
            return Response("csv or json", status_code=404)
        return await self._serve(request, ("linea", name, fmt, request.url.query),
                                 lambda: self._line_data(request, name, fmt))

    def _line_data(self, request: Request, name: str, fmt: str) -> Response:
        now = self.clock()
        try:
            history: LineHistory = self.figures.line(name, today=self._day(request, now), now=now)
        except InsightError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        if fmt == "csv":
            body = export.to_csv(export.LINE_COLUMNS, export.line_rows(history), self._licence())
        else:
            body = export.to_json(history, self.public.licence, self.public.licence_url, self.settings.operator.name)
        return self._data(body, fmt, f"linea-{history.key}")

    def _data(self, body: str, fmt: str, stem: str) -> Response:
        headers = {"Link": f'<{self.public.licence_url}>; rel="license"',
                   "Content-Disposition": f'inline; filename="{quote(stem)}.{fmt}"',
                   "Access-Control-Allow-Origin": "*"}
        return Response(body, media_type=MEDIA[fmt], headers=headers)


def _with_cpu(build: Callable[[], Response]) -> tuple[Response, float]:
    """The response, and the CPU milliseconds this thread spent building it (database time apart)."""
    began = time.thread_time()
    response = build()
    return response, (time.thread_time() - began) * 1000


class _Formats:
    """Numbers, shares and durations as the page's language writes them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def n(self, value: Any) -> str:
        if value is None:
            return "–"
        if is_hidden(value):
            return str(value)
        return f"{value:,}".replace(",", "." if self.lang == "it" else ",")

    def share(self, value: float | None) -> str:
        return "–" if value is None else f"{round(100 * value)}%"

    def minutes(self, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        if abs(seconds) < 60:
            return f"{seconds:.0f} s"
        text = f"{seconds / 60:.1f}".replace(".", "," if self.lang == "it" else ".")
        return f"{text} min"

    def day(self, value: date) -> str:
        return value.strftime("%d/%m/%Y")

    def spans(self, pairs: list[tuple[str, str]]) -> str:
        return ", ".join(a if a == b else f"{a}–{b}" for a, b in pairs)


def _why(basis: Schedule) -> str | None:
    return {Schedule.NO_TRIPS: "why_no_trips", Schedule.NO_STATIC: "why_no_static",
            Schedule.NOT_IN_STATIC: "why_not_in_static"}.get(basis)


def public_routes(app: Any) -> list[BaseRoute]:
    """The public site's routes for the service's web app (``app`` is the Application)."""
    knowledge = getattr(app, "knowledge", None)
    alerts = (lambda: knowledge.alerts) if knowledge is not None and hasattr(knowledge, "alerts") else (lambda: None)
    site = PublicSite(app.settings, app.engine, clock=app.clock, gtfs=getattr(knowledge, "gtfs", None), alerts=alerts,
                      ready=True)
    return site_routes(site)


def site_routes(site: PublicSite) -> list[BaseRoute]:
    """The routes of one :class:`PublicSite`."""
    return [
        Route(PREFIX, site.index, methods=["GET"]),
        Route(f"{PREFIX}/linea", site.find, methods=["GET"]),
        Route(PREFIX + "/linea/{line:str}", site.line, methods=["GET"]),
        Route(PREFIX + "/dati/rete.{fmt:str}", site.network_data, methods=["GET"]),
        Route(PREFIX + "/dati/linea/{line:str}.{fmt:str}", site.line_data, methods=["GET"]),
        Mount(f"{PREFIX}/static", app=StaticFiles(directory=str(HERE / "static")), name="public-static"),
    ]



