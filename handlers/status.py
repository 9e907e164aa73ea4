"""Status answers: what the live alerts say about the lines and stops asked about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import Asked, DataState, Decision, SourceKind
from bot.insight.errors import InsightError
from bot.insight.service import ServiceReports, local_today
from handlers.text import data_stamp, join_names, local_moment, period_asked

if TYPE_CHECKING:
    from handlers.base import HandlerContext

MAX_ALERTS = 3


def asks_service_counts(decision: Decision) -> bool:
    """Whether the message asks how many trips ran or were missed (answered from the service data)."""
    return decision.asked == Asked.SERVICE_COUNTS


def write(ctx: HandlerContext) -> str:
    """Cite the alerts that apply, or say plainly that none is in force (or give today's trip counts).

    The time named is the data's own time; data that is stale, unknown or being confirmed is never
    presented as live (the policy also holds such a reply for a person).
    """
    counts_age = ctx.decision.source(SourceKind.SERVICE_COUNTS)
    if counts_age is not None:
        if not counts_age.usable:
            return _not_up_to_date(ctx.lang, counts=True)
        counts = _service_counts(ctx)
        if counts:
            return counts
    lang = ctx.lang
    kn = ctx.knowledge
    names = [kn.route_label(r, lang) for r in ctx.decision.routes]
    names += [kn.stop_label(s) for s in ctx.decision.stops]
    subject = join_names(names, lang)
    alerts_age = ctx.decision.source(SourceKind.ALERTS) or kn.source_age(SourceKind.ALERTS, ctx.now)
    if alerts_age.state in (DataState.STALE, DataState.UNKNOWN):
        return _not_up_to_date(lang)
    if alerts_age.state == DataState.SUSPECT and not ctx.decision.alert_ids:
        return _being_confirmed(lang)
    updated = data_stamp(alerts_age.data_time, ctx.now, ctx.settings.operator.timezone, lang)
    parts: list[str] = []
    for alert_id in ctx.decision.alert_ids[:MAX_ALERTS]:
        header, description = kn.alert_text(alert_id, lang)
        when = _upcoming_period(ctx, alert_id) or _ends_before_time_asked(ctx, alert_id)
        parts.append(f"⚠️ {header}{when}" + (f"\n{description}" if description else ""))
    if parts:
        intro = "Latest service information" if lang == "en" else "Ultime informazioni sul servizio"
        stamp = f" (updated {updated})" if lang == "en" else f" (aggiornate {updated})"
        return f"{intro}{stamp}:\n\n" + "\n\n".join(parts)
    report = kn.domain.report_details(lang)  # the domain's words: "linea, fermata e orario"
    asked = ctx.decision.time_asked
    if asked is not None:  # another time than now: what is announced for it, not what holds at the moment
        period = period_asked(asked.start, asked.end, ctx.settings.operator.timezone, lang)
        if lang == "en":
            where = f"for {subject}" if subject else kn.domain.everywhere(lang)
            return (f"No disruptions are announced {where} for {period} (updated {updated}). "
                    "Notices can change: please check again before you travel.")
        where = f"per {subject}" if subject else kn.domain.everywhere(lang)
        return (f"Per {period} non risultano disservizi annunciati {where} (dati aggiornati {updated}). "
                "Gli avvisi possono cambiare: ricontrolla prima di partire.")
    if lang == "en":
        where = f"for {subject}" if subject else kn.domain.everywhere(lang)
        return (
            f"There are no disruptions reported {where} at the moment (updated {updated}). "
            f"If you are experiencing a problem, tell us {report}."
        )
    where = f"per {subject}" if subject else kn.domain.everywhere(lang)
    return (
        f"Al momento non risultano disservizi {where} (dati aggiornati {updated}). "
        f"Se stai riscontrando un problema, scrivici {report}."
    )


def _not_up_to_date(lang: str, *, counts: bool = False) -> str:
    if lang == "en":
        what = "today's trip figures are" if counts else "our live service information is"
        return f"Sorry, {what} not up to date right now, so an operator will check and answer you shortly."
    what = "i dati sulle corse di oggi non sono aggiornati" if counts else (
        "le informazioni sul servizio non sono aggiornate")
    return f"Ci scusiamo, in questo momento {what}: un operatore verificherà e ti risponderà a breve."


def _being_confirmed(lang: str) -> str:
    if lang == "en":
        return ("We are confirming the latest service information right now: an operator will check "
                "and answer you shortly.")
    return ("Stiamo verificando gli ultimi aggiornamenti sul servizio: un operatore controllerà "
            "e ti risponderà a breve.")


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


def _ends_before_time_asked(ctx: HandlerContext, alert_id: str) -> str:
    """" (termine previsto: 27/11 10:30)" for an alert in force now that ends before the time the message asks
    about («domani il 64 fa ancora ritardi?»): the reply tells when it ends instead of letting today's disruption pass
    for that time's; "" otherwise."""
    asked = ctx.decision.time_asked
    alert = ctx.knowledge.alert(alert_id)
    if asked is None or alert is None or alert.state(ctx.now) != "active":
        return ""
    ends = [p.end for p in alert.periods if (p.start is None or p.start <= ctx.now) and p.end is not None
            and p.end > ctx.now]
    later = any(p.start is not None and p.start > ctx.now and p.start < asked.end for p in alert.periods)
    if not ends or later or min(ends) > asked.start:
        return ""
    until = local_moment(min(ends), ctx.settings.operator.timezone)
    return f" (expected to end {until})" if ctx.lang == "en" else f" (termine previsto: {until})"


def _service_counts(ctx: HandlerContext) -> str:
    """The trips run and missed today on the lines asked about, from the service data ("" without it)."""
    kn = ctx.knowledge
    if not asks_service_counts(ctx.decision) or kn.engine is None or not ctx.decision.routes:
        return ""
    tz = ctx.settings.operator.timezone
    day = local_today(ctx.now, tz)
    answers = []
    for route_id in ctx.decision.routes:
        try:
            summary = ServiceReports.for_settings(kn.engine, kn.gtfs, ctx.settings).route_day(route_id, day, now=ctx.now)
        except InsightError:
            return ""  # a line the service data does not know: the alerts answer instead
        answers.append(summary.answer(ctx.lang))
    return "\n".join(answers)
