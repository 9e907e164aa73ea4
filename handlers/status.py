"""Status answers: what the live alerts say about the lines and stops asked about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.text import join_names, local_time

if TYPE_CHECKING:
    from handlers.base import HandlerContext

MAX_ALERTS = 3


def write(ctx: HandlerContext) -> str:
    """Cite the alerts that apply, or say plainly that none is in force."""
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
        parts.append(f"⚠️ {header}" + (f"\n{description}" if description else ""))
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
