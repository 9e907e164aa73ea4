"""The supervisors' console pages: problems with their charts, response times, service delivered.

``insight_routes(app)`` returns routes to add inside the console's Starlette app (mounted at
``/console``), so they share its session; every page needs the supervisor role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.console.auth import PREFIX, requires
from bot.console.context import render as console_page
from bot.console.context import ui_language
from bot.console.report_words import report_cells, report_translator
from bot.insight import charts, render
from bot.insight.cli import (
    lines_served,
    narrowed_header,
    parse_day,
    problem_report,
    response_header,
    response_report,
    route_labels,
)
from bot.insight.errors import InsightError
from bot.insight.service import ServiceReports
from knowledge.gtfs import GtfsIndex
from storage.models import User

Page = Callable[[Request, User], Awaitable[Response]]


class InsightPages:
    """The pages, bound to one service's database, settings, static feed and clock."""

    def __init__(self, settings: Settings, engine: Engine, *, clock: Callable[[], datetime],
                 gtfs: GtfsIndex | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.gtfs = gtfs
        self.tz = settings.operator.timezone

    def _page(self, request: Request, user: User, page: str, title: str, filters: list[tuple[str, str]],
              work: Callable[[], tuple[str, list[render.Table], list[tuple[str, str]]]]) -> Response:
        values = [(name, label, request.query_params.get(name)) for name, label in filters
                  if name != "service" or self.settings.services]
        error = None
        try:
            header, tables, images = work()
        except InsightError as exc:
            header, tables, images, error = "", [], [], str(exc)
        # Drawn by the console (its navigation, styles and the user's language).
        return console_page(
            request, "insight.html", user, page="reports", report=page, title=title, filters=values, header=header,
            tables=tables, charts=images, error=error, tr=report_translator(ui_language(request, user)),
            cell=report_cells(ui_language(request, user)), services=list(self.settings.services),
            carried=_carried(request),
            status_code=400 if error else 200,
        )

    async def problems(self, request: Request, user: User) -> Response:
        """Reports by line, stop, kind and hour, with the two charts."""
        return await run_in_threadpool(self._problems, request, user)

    def _problems(self, request: Request, user: User) -> Response:
        def work() -> tuple[str, list[render.Table], list[tuple[str, str]]]:
            report = problem_report(self.engine, self.settings, _args(request), self.clock(), self.gtfs)
            labels = self._labels(report)
            shown = {k: v for k, v in request.query_params.items() if k in _PROBLEM_KEYS and v}
            query = urlencode({**shown, "lang": ui_language(request, user)})  # a cached chart per language
            images = [(f"{PREFIX}/insight/charts/lines.png?{query}", "Reports per line"),
                      (f"{PREFIX}/insight/charts/heatmap.png?{query}", "Reports by line and hour")]
            if not report.by["route"]:  # no line named (a water or waste service): no line charts
                images = []
            header = narrowed_header(render.period_header("Problems reported", report.period, self.tz), report)
            return header, render.problem_tables(report, labels), images

        return self._page(request, user, "problems", "Where service fails",
                          _PERIOD + [("service", "service"), ("route", "line"), ("subject", "subject (kind:id)")], work)

    def _labels(self, report: Any) -> dict[str, str]:
        keys = [c.key for c in report.by["route"]] + [t.key for t in report.top_routes] + list(report.heatmap)
        return route_labels(self.gtfs, self.settings.reports.route_aliases, keys)

    async def chart(self, request: Request, user: User) -> Response:
        """``lines.png`` or ``heatmap.png`` for the period in the query, in the user's language."""
        name = request.path_params["name"]
        if name not in ("lines", "heatmap"):
            return Response("no such chart", status_code=404)
        try:
            png = await run_in_threadpool(self._chart, request, name, ui_language(request, user))
        except InsightError as exc:
            return Response(str(exc), status_code=400)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})

    def _chart(self, request: Request, name: str, lang: str) -> bytes:
        report = problem_report(self.engine, self.settings, _args(request), self.clock(), self.gtfs)
        labels = self._labels(report)
        span = report.period.label(self.tz)
        if name == "lines":
            return charts.lines_chart(report.by["route"], period=span, lang=lang, labels=labels)
        return charts.heatmap_chart(report.heatmap, period=span, lang=lang, labels=labels)

    async def response(self, request: Request, user: User) -> Response:
        """First, next and resolution times, hit rate, hand-overs and the backlog."""
        return await run_in_threadpool(self._response, request, user)

    def _response(self, request: Request, user: User) -> Response:
        def work() -> tuple[str, list[render.Table], list[tuple[str, str]]]:
            report = response_report(self.engine, self.settings, _args(request), self.clock())
            return response_header(report, self.tz), render.response_tables(report), []

        return self._page(request, user, "response", "How fast we answer",
                          _PERIOD + [("service", "service"), ("route", "line"), ("subject", "subject (kind:id)")], work)

    async def service(self, request: Request, user: User) -> Response:
        """Trips scheduled, run, cancelled, delays and gaps for a day (and a route)."""
        return await run_in_threadpool(self._service, request, user)

    def _service(self, request: Request, user: User) -> Response:
        def work() -> tuple[str, list[render.Table], list[tuple[str, str]]]:
            now = self.clock()
            lines_served(self.settings, "promised versus delivered", subjects=False)
            reports = ServiceReports.for_settings(self.engine, self.gtfs, self.settings)
            day = parse_day(request.query_params.get("date") or "today", self.tz, now)
            route = request.query_params.get("route") or None
            days = [reports.route_day(route, day, now=now)] if route else []
            overview = [] if route else reports.day_overview(day)
            coverage = reports.day_coverage(day, now=now)
            return f"Promised versus delivered on {day}", render.service_tables(days, overview, coverage), []

        return self._page(request, user, "service", "Promised versus delivered",
                          [("date", "day (YYYY-MM-DD)"), ("route", "line")], work)


_PERIOD = [("since", "since (2026-11-20, 7d)"), ("until", "until")]
_PROBLEM_KEYS = ("since", "until", "route", "service", "subject")


def _args(request: Request) -> SimpleNamespace:
    query = request.query_params
    return SimpleNamespace(since=query.get("since") or None, until=query.get("until") or None,
                           route=query.get("route") or None, service=query.get("service") or None,
                           subject=query.get("subject") or None)


def _carried(request: Request) -> str:
    """The query the report pages' own links keep (the service the console is narrowed to), with its '?'."""
    service = request.query_params.get("service")
    return f"?{urlencode({'service': service})}" if service else ""


def insight_routes(app: Any) -> list[BaseRoute]:
    """The pages as routes for the console app (paths under ``/insight``), supervisors only.

    ``app`` is the :class:`bot.app.Application` (its settings, engine, clock and knowledge).
    """
    knowledge = getattr(app, "knowledge", None)
    pages = InsightPages(app.settings, app.engine, clock=app.clock, gtfs=getattr(knowledge, "gtfs", None))
    guard = requires("supervisor")
    return [
        Route("/insight", guard(pages.problems), methods=["GET"]),
        Route("/insight/charts/{name:str}.png", guard(pages.chart), methods=["GET"]),
        Route("/insight/response", guard(pages.response), methods=["GET"]),
        Route("/insight/service", guard(pages.service), methods=["GET"]),
    ]
