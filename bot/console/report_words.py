"""The report pages' words in Italian: table titles, columns and row labels the reports write in English.

The reports (``bot.insight.render``) build the same tables for the terminal, CSV and the console;
the console shows them in the agent's language by looking each English text up here. A text
not listed stays in English; a title "Head: details" is translated by its head.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.console.i18n import translator

ITALIAN: dict[str, str] = {
    # pages, filters
    "Where service fails": "Dove il servizio non funziona",
    "How fast we answer": "Quanto velocemente rispondiamo",
    "Promised versus delivered": "Promesso e realizzato",
    "Problems reported": "Problemi segnalati",
    "Problems": "Problemi",
    "Response times": "Tempi di risposta",
    "Promised vs delivered": "Promesso e realizzato",
    "since (2026-11-20, 7d)": "dal (2026-11-20, 7d)",
    "until": "al",
    "line": "linea",
    "service": "servizio",
    "Service": "Servizio",
    "subject (kind:id)": "soggetto (tipo:id)",
    "day (YYYY-MM-DD)": "giorno (AAAA-MM-GG)",
    "Show": "Mostra",
    "Reports per line": "Segnalazioni per linea",
    "Reports by line and hour": "Segnalazioni per linea e ora",
    "none": "nessuno",
    # problems
    "Total": "Totale",
    "all": "tutte",
    "reports": "segnalazioni",
    "matched alert": "con avviso",
    "no alert": "senza avviso",
    "alert share": "quota con avviso",
    "this week": "questa settimana",
    "last week": "settimana scorsa",
    "change": "variazione",
    "Top lines, last 7 days against the 7 before": "Linee più segnalate, ultimi 7 giorni contro i 7 precedenti",
    "Top stops, last 7 days against the 7 before": "Fermate più segnalate, ultimi 7 giorni contro i 7 precedenti",
    "By line": "Per linea",
    "By stop": "Per fermata",
    "By subject": "Per oggetto segnalato",
    "subject": "oggetto",
    "municipality": "comune",
    "district": "quartiere",
    "zone": "zona",
    "street": "via",
    "address": "indirizzo",
    "service_point": "punto di servizio",
    "By kind of problem": "Per tipo di problema",
    "By channel": "Per canale",
    "By hour of day (local)": "Per ora del giorno (locale)",
    "By intent": "Per intento",
    "stop": "fermata",
    "category": "categoria",
    "channel": "canale",
    "hour": "ora",
    "intent": "intento",
    # response
    "Overall": "Complessivo",
    "figure": "misura",
    "value": "valore",
    "mean": "media",
    "median": "mediana",
    "First response (any reply)": "Prima risposta (qualsiasi)",
    "First response by a person": "Prima risposta di una persona",
    "Next reply (each citizen message)": "Risposta successiva (a ogni messaggio)",
    "Resolution": "Risoluzione",
    "Against the reference and the target": "Rispetto al riferimento e all'obiettivo",
    "our mean first response": "la nostra prima risposta media",
    "our mean first response by a person": "la nostra prima risposta media di una persona",
    "reference: large operator, mean": "riferimento: grande operatore, media",
    "cases": "pratiche",
    "resolved by the bot alone": "risolte dal solo bot",
    "handed to a person": "passate a una persona",
    "Backlog now": "Arretrato adesso",
    "state": "stato",
    "messages": "messaggi",
    "oldest waiting": "attesa più lunga",
    "first med": "prima med",
    "first p90": "prima p90",
    "person med": "persona med",
    "person p90": "persona p90",
    "next med": "succ. med",
    "next p90": "succ. p90",
    "resol med": "risol. med",
    "resol p90": "risol. p90",
    "hit rate": "entro obiettivo",
    "bot alone": "solo bot",
    "handed": "passate",
    # service
    "Promised versus delivered on": "Promesso e realizzato il",
    "Every route with trip updates": "Ogni linea con corse in tempo reale",
    "route": "linea",
    "scheduled": "programmate",
    "seen": "viste",
    "cancelled": "soppresse",
    "mean delay": "ritardo medio",
    "max delay": "ritardo massimo",
    "late trips": "corse in ritardo",
    "run (seen in realtime)": "effettuate (viste in tempo reale)",
    "added": "aggiunte",
    "scheduled, never seen": "programmate, mai viste",
    "not due yet": "non ancora in orario",
    "missed": "mancate",
    "late trips (5 min or more)": "corse in ritardo (5 min o più)",
    "Gaps and recovery": "Buchi e recupero",
    "kind": "tipo",
    "direction": "direzione",
    "from": "da",
    "to": "a",
    "trips": "corse",
    "recovered at": "recuperato alle",
    "Stops with the largest mean delay": "Fermate con il ritardo medio più alto",
    # figures fit to publish: coverage, implausible delays, the unanswered
    "Recording of the trip updates (the figures hold over this only)":
        "Registrazione delle corse in tempo reale (i numeri valgono solo su questa)",
    "time recorded": "tempo registrato",
    "recorded": "registrato",
    "gaps in recording": "buchi nella registrazione",
    "nothing": "niente",
    "no data": "nessun dato",
    "implausible delays": "ritardi non plausibili",
    "scheduled, never seen in recorded time": "programmate, mai viste nel tempo registrato",
    "not recorded (scheduled in a recording gap)": "non registrate (programmate in un buco della registrazione)",
    "implausible delays (left out of every average)": "ritardi non plausibili (esclusi da ogni media)",
    "plausible delay limit": "limite di ritardo plausibile",
    "coverage: time recorded": "copertura: tempo registrato",
    "coverage: trips due that fell in recorded time": "copertura: corse dovute cadute nel tempo registrato",
    "the static feed has no trips, so nothing to compare against":
        "il feed statico non contiene corse: nulla con cui confrontare",
    "no static feed loaded": "nessun feed statico caricato",
    "timetable": "orario programmato",
    "from the static feed": "dal feed statico",
    "this route is not in the static feed": "questa linea non è nel feed statico",
    "First response (answered cases only)": "Prima risposta (solo pratiche con risposta)",
    "First response, counting the unanswered at their wait so far":
        "Prima risposta, contando chi attende con l'attesa finora",
    "First response, counting the unanswered at their wait so far (at least)":
        "Prima risposta, contando chi attende con l'attesa finora (almeno)",
    "Next reply (each citizen message answered)": "Risposta successiva (a ogni messaggio con risposta)",
    "oldest waiting now": "attesa più lunga adesso",
    "our mean first response, answered cases only": "la nostra prima risposta media, solo pratiche con risposta",
    "our mean first response, counting the unanswered": "la nostra prima risposta media, contando chi attende",
    "our median first response, counting the unanswered": "la nostra prima risposta mediana, contando chi attende",
    "response target": "obiettivo di risposta",
    "hit rate: messages answered within the target (late, or waiting past it: a miss)":
        "messaggi con risposta entro l'obiettivo (in ritardo o in attesa oltre: mancati)",
    "first response within the target, per case (unanswered past it: a miss)":
        "prima risposta entro l'obiettivo, per pratica (senza risposta oltre: mancata)",
    "still waiting for a first answer (past the target)": "in attesa di una prima risposta (oltre l'obiettivo)",
    "oldest message waiting now": "messaggio in attesa da più tempo, adesso",
    "unanswered": "senza risposta",
}


#: Texts that start a cell or message, the rest left as it is (a figure, a value given).
ITALIAN_HEADS: dict[str, str] = {
    "Reports naming": "Segnalazioni che nominano",
    "at least ": "almeno ",
    "expected a date (2026-11-27), an ISO time, today, yesterday or 7d; got ":
        "serve una data (2026-11-27), un'ora ISO, today, yesterday o 7d; scritto: ",
    "the period is empty: ": "il periodo è vuoto: ",
    "the period is too long to compare with the one before it": "il periodo è troppo lungo per confrontarlo con il precedente",
}
#: ``#12 for 3.0 h``: the oldest waiting message and its wait.
_WAITING = re.compile(r"#(\d+) for (.+)")
#: Columns whose values are names the console translates: the key prefix of each.
CELL_KEYS = {"category": "cat_", "intent": "intent_", "state": "st_"}


def report_cells(lang: str) -> Callable[[str, object], object]:
    """``cell(column, value)``: a table cell in ``lang``; categories, intents and states by the console's words."""
    tr = report_translator(lang)
    t = translator(lang)

    def cell(column: str, value: object) -> object:
        prefix = CELL_KEYS.get(column)
        if prefix and isinstance(value, str) and (key := prefix + value) != t(key):
            return t(key)
        return tr(value)

    return cell


def report_translator(lang: str) -> Callable[[object], object]:
    """``tr(text)``: a report's English text in ``lang`` (numbers and unknown texts unchanged)."""
    if lang != "it":
        return lambda text: text

    def tr(text: object) -> object:
        if not isinstance(text, str):
            return text
        if text in ITALIAN:
            return ITALIAN[text]
        for head, italian in ITALIAN_HEADS.items():
            if text.startswith(head):
                return italian + text[len(head):]
        if waiting := _WAITING.fullmatch(text):
            return f"#{waiting[1]} da {waiting[2]}"
        for sep in (": ", " on "):
            head, found, tail = text.partition(sep)
            if found and head in ITALIAN:
                return f"{ITALIAN[head]}{': ' if sep == ': ' else ' '}{tail}"
            if found and f"{head}{sep.rstrip()}" in ITALIAN:
                return f"{ITALIAN[head + sep.rstrip()]} {tail}"
        return text

    return tr
