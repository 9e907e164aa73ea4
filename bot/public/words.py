"""The public site's words in Italian and English, and which language a request gets.

A ``?lang=`` in the address wins (the switch on every page sets it); otherwise the browser's
``Accept-Language``; otherwise Italian.
"""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("it", "en")

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "site": "Trasparenza del servizio",
        "intro": "Cosa era promesso e cosa è stato fatto, linea per linea. Dati aggregati, aggiornati ogni pochi minuti.",
        "other_language": "English",
        "skip": "Vai al contenuto",
        "network_today": "La rete oggi",
        "day": "Giorno",
        "line": "Linea",
        "lines": "Linee",
        "lines_trouble_first": "Linee, prima quelle con problemi",
        "seen": "Corse rilevate",
        "cancelled": "Soppresse",
        "late": "In ritardo (5 min o più)",
        "alerts": "Avvisi in vigore",
        "reports": "Segnalazioni dei cittadini",
        "last_days": "Ultimi {days} giorni",
        "days_with_data": "Giorni con dati",
        "punctual": "Puntualità",
        "punctual_help": "Corse con ritardo sotto i 5 minuti a ogni fermata, tra quelle con un ritardo registrato.",
        "scheduled": "Programmate",
        "run": "Effettuate",
        "missed": "Saltate senza avviso",
        "missed_help": "Corse programmate, già partite, mai viste nei dati in tempo reale mentre la registrazione era attiva.",
        "not_recorded": "Non registrate",
        "not_recorded_help": "Corse programmate in orari in cui i dati in tempo reale non sono stati registrati: non le contiamo né come fatte né come saltate.",
        "upcoming": "Non ancora partite",
        "coverage": "Copertura",
        "coverage_help": "Quota del tempo di servizio in cui i dati in tempo reale sono stati registrati.",
        "recorded": "Registrato",
        "only_at": "solo alle {at}",
        "gaps": "Interruzioni della registrazione",
        "none": "nessuna",
        "no_data": "nessun dato",
        "no_data_day": "Nessun dato registrato per questo giorno.",
        "no_data_today": "Oggi non è stato registrato nessun dato sulle corse.",
        "last_data": "Ultimo giorno con dati: {day}.",
        "recorded_today": "Dati sulle corse registrati oggi: {spans}.",
        "last_snapshot": "Ultimo aggiornamento registrato: {at}.",
        "no_schedule": "Orario programmato non disponibile: {why}. Contiamo le corse viste nei dati in tempo reale, senza confronto con il programmato.",
        "why_no_trips": "il feed statico non contiene le corse",
        "why_no_static": "nessun feed statico caricato",
        "why_not_in_static": "la linea non è nel feed statico",
        "mean_delay": "Ritardo medio",
        "implausible": "Ritardi non plausibili",
        "implausible_help": "Ritardi oltre {minutes} minuti: quasi sempre errori dei dati. Li mostriamo, ma non entrano nelle medie.",
        "care": "Servizio clienti",
        "care_messages": "Messaggi",
        "care_in_time": "Risposte entro {minutes} min",
        "care_in_time_help": "Quota dei messaggi con risposta entro l'obiettivo: ogni messaggio in ritardo o ancora in attesa oltre l'obiettivo conta come mancato.",
        "care_median": "Prima risposta (mediana)",
        "care_median_help": "Chi attende ancora è contato con l'attesa finora: per questo a volte scriviamo «almeno».",
        "at_least": "almeno",
        "care_waiting": "In attesa",
        "too_few": "troppo pochi per dirlo",
        "small_count": "Conteggi sotto {least} sono mostrati come «< {least}» per non rendere riconoscibile nessuno.",
        "by_kind": "Per tipo",
        "per_day": "Giorno per giorno",
        "chart_title": "Corse per giorno: effettuate, soppresse, saltate, non registrate",
        "chart_desc": "Grafico a barre degli ultimi {days} giorni; gli stessi numeri sono nella tabella qui sotto.",
        "data": "Dati aperti",
        "data_help": "Gli stessi dati, da riusare:",
        "licence": "Licenza",
        "licence_line": "Dati pubblicati con licenza {licence} ({url}): riusabili citando la fonte.",
        "aggregate_only": "Solo dati aggregati: nessun testo dei messaggi, nessun cittadino, nessun operatore.",
        "alerts_from_feed": "Avvisi dal feed dell'operatore (gli avvisi già rimossi dal feed non sono conservati).",
        "all_lines": "Tutte le linee",
        "back": "Torna alla rete",
        "not_found": "Linea non trovata",
        "not_found_help": "Questa linea non è nell'orario e non compare nei dati degli ultimi giorni.",
        "updated": "Aggiornato alle {at} ({tz}).",
        "network_alerts": "Avvisi per tutta la rete",
        "yes": "sì",
        "choose_day": "Giorno",
        "show": "Mostra",
        "kind_delay": "ritardo",
        "kind_crowding": "affollamento",
        "kind_skipped_stop": "fermata saltata",
        "kind_cleanliness": "pulizia",
        "kind_climate": "climatizzazione",
        "kind_staff": "personale",
        "kind_accessibility": "accessibilità",
        "kind_safety": "sicurezza",
        "kind_ticketing": "biglietti",
        "kind_information": "informazioni",
        "kind_other": "altro",
    },
    "en": {
        "site": "Service transparency",
        "intro": "What was promised and what was delivered, line by line. Aggregate figures, updated every few minutes.",
        "other_language": "Italiano",
        "skip": "Skip to content",
        "network_today": "The network today",
        "day": "Day",
        "line": "Line",
        "lines": "Lines",
        "lines_trouble_first": "Lines, those in trouble first",
        "seen": "Trips seen",
        "cancelled": "Cancelled",
        "late": "Late (5 min or more)",
        "alerts": "Alerts in force",
        "reports": "Citizens' reports",
        "last_days": "Last {days} days",
        "days_with_data": "Days with data",
        "punctual": "Punctuality",
        "punctual_help": "Trips under 5 minutes late at every stop, among those with a recorded delay.",
        "scheduled": "Scheduled",
        "run": "Run",
        "missed": "Missed without notice",
        "missed_help": "Scheduled trips, already due, never seen in the realtime data while it was being recorded.",
        "not_recorded": "Not recorded",
        "not_recorded_help": "Scheduled trips at times when the realtime data was not recorded: counted neither as run nor as missed.",
        "upcoming": "Not due yet",
        "coverage": "Coverage",
        "coverage_help": "Share of the service time during which the realtime data was recorded.",
        "recorded": "Recorded",
        "only_at": "only at {at}",
        "gaps": "Gaps in recording",
        "none": "none",
        "no_data": "no data",
        "no_data_day": "Nothing was recorded on this day.",
        "no_data_today": "No trip data has been recorded today.",
        "last_data": "Last day with data: {day}.",
        "recorded_today": "Trip data recorded today: {spans}.",
        "last_snapshot": "Last update recorded: {at}.",
        "no_schedule": "No timetable to compare against: {why}. We count the trips seen in the realtime data, without comparing them to a schedule.",
        "why_no_trips": "the static feed has no trips",
        "why_no_static": "no static feed is loaded",
        "why_not_in_static": "the line is not in the static feed",
        "mean_delay": "Average delay",
        "implausible": "Implausible delays",
        "implausible_help": "Delays over {minutes} minutes: nearly always data errors. Shown, but left out of every average.",
        "care": "Customer care",
        "care_messages": "Messages",
        "care_in_time": "Answered within {minutes} min",
        "care_in_time_help": "Share of messages answered within the target: every message answered late, or still waiting past the target, counts as a miss.",
        "care_median": "First response (median)",
        "care_median_help": "Those still waiting count with their wait so far: that is why it sometimes says \"at least\".",
        "at_least": "at least",
        "care_waiting": "Waiting",
        "too_few": "too few to say",
        "small_count": "Counts under {least} are shown as \"< {least}\" so that nobody can be recognised.",
        "by_kind": "By kind",
        "per_day": "Day by day",
        "chart_title": "Trips per day: run, cancelled, missed, not recorded",
        "chart_desc": "Bar chart of the last {days} days; the same numbers are in the table below.",
        "data": "Open data",
        "data_help": "The same data, to reuse:",
        "licence": "Licence",
        "licence_line": "Data published under the {licence} licence ({url}): reuse it, citing the source.",
        "aggregate_only": "Aggregates only: no message text, no citizen, no agent.",
        "alerts_from_feed": "Alerts from the operator's feed (alerts already removed from the feed are not kept).",
        "all_lines": "All lines",
        "back": "Back to the network",
        "not_found": "Line not found",
        "not_found_help": "This line is not in the timetable and does not appear in the data of the last days.",
        "updated": "Updated at {at} ({tz}).",
        "network_alerts": "Alerts for the whole network",
        "yes": "yes",
        "choose_day": "Day",
        "show": "Show",
        "kind_delay": "delay",
        "kind_crowding": "crowding",
        "kind_skipped_stop": "skipped stop",
        "kind_cleanliness": "cleanliness",
        "kind_climate": "heating or cooling",
        "kind_staff": "staff",
        "kind_accessibility": "accessibility",
        "kind_safety": "safety",
        "kind_ticketing": "tickets",
        "kind_information": "information",
        "kind_other": "other",
    },
}


def language(request: Request) -> str:
    """The page's language: ``?lang=``, else the browser's first served preference, else Italian."""
    asked = request.query_params.get("lang", "")
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and weight > 0:
            ranked.append((-weight, i, base))
    return sorted(ranked)[0][2] if ranked else "it"


def words(lang: str) -> dict[str, str]:
    """The words of one language."""
    return WORDS[lang if lang in WORDS else "it"]
