"""Status answers: what the live alerts say about the lines and stops asked about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.insight.errors import InsightError
from bot.insight.service import local_today, service_summary
from bot.reading.router import SERVICE_COUNT_REASON
from handlers.text import join_names, local_moment, local_time

if TYPE_CHECKING:
    from handlers.base import HandlerContext

MAX_ALERTS = 3


def write(ctx: HandlerContext) -> str:
    """Cite the alerts that apply, or say plainly that none is in force (or give today's trip counts)."""
    counts = _service_counts(ctx)
    if counts:
        return counts
    lang = ctx.lang
    kn = ctx.knowledge
    names = [kn.route_label(r, lang) for r in ctx.decision.routes]
    names += [kn.stop_label(s) for s in ctx.decision.stops]
    subject = join_names(names, lang)
    updated = local_time(kn.alerts_updated_at(), ctx.settings.operator.timezone)
    if not kn.alerts_fresh(ctx.now):
        if lang == "en":
            return (
                "Sorry, our live service information is not up to date right now, "
                "so an operator will check and answer you shortly."
            )
        return (
            "Ci scusiamo, in questo momento le informazioni sul servizio non sono aggiornate: "
            "un operatore verificherà e ti risponderà a breve."
        )
    parts: list[str] = []
    for alert_id in ctx.decision.alert_ids[:MAX_ALERTS]:
        header, description = kn.alert_text(alert_id, lang)
        when = _upcoming_period(ctx, alert_id)
        parts.append(f"⚠️ {header}{when}" + (f"\n{description}" if description else ""))
    if parts:
        intro = "Latest service information" if lang == "en" else "Ultime informazioni sul servizio"
        stamp = f" (updated {updated})" if lang == "en" else f" (aggiornate alle {updated})"
        return f"{intro}{stamp}:\n\n" + "\n\n".join(parts)
    if lang == "en":
        where = f"for {subject}" if subject else "on the network"
        return (
            f"There are no disruptions reported {where} at the moment (updated {updated}). "
            "If you are experiencing a problem, tell us the line, the stop and the time."
        )
    where = f"per {subject}" if subject else "sulla rete"
    return (
        f"Al momento non risultano disservizi {where} (aggiornato alle {updated}). "
        "Se stai riscontrando un problema, scrivici linea, fermata e orario."
    )


def _upcoming_period(ctx: HandlerContext, alert_id: str) -> str:
    """" (dal 05/12 08:30 al 05/12 17:00)" for an alert not yet in force; "" otherwise."""
    alert = ctx.knowledge.alert(alert_id)
    if alert is None or alert.state(ctx.now) != "upcoming":
        return ""
    tz = ctx.settings.operator.timezone
    spans = []
    for period in alert.periods:
        if period.start is None or period.start <= ctx.now:
            continue
        start = local_moment(period.start, tz)
        end = f" {'to' if ctx.lang == 'en' else 'al'} {local_moment(period.end, tz)}" if period.end else ""
        spans.append(f"{'from' if ctx.lang == 'en' else 'dal'} {start}{end}")
    return f" ({'; '.join(spans)})" if spans else ""


def _service_counts(ctx: HandlerContext) -> str:
    """The trips run and missed today on the lines asked about, from the service data ("" without it)."""
    kn = ctx.knowledge
    if SERVICE_COUNT_REASON not in ctx.decision.reasons or kn.engine is None or not ctx.decision.routes:
        return ""
    tz = ctx.settings.operator.timezone
    day = local_today(ctx.now, tz)
    answers = []
    for route_id in ctx.decision.routes:
        try:
            summary = service_summary(
                kn.engine, kn.gtfs, route_id, day, tz=tz, aliases=ctx.settings.reports.route_aliases, now=ctx.now
            )
        except InsightError:
            return ""  # a line the service data does not know: the alerts answer instead
        answers.append(summary.answer(ctx.lang))
    return "\n".join(answers)
