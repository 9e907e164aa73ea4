"""The daily digest's words in Italian and English (states, kinds of subject and categories come from the console's)."""

from __future__ import annotations

from collections.abc import Callable

from bot.console.i18n import LANGUAGES, translator

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "title": "{operator}: riepilogo del {day}",
        "reports": "Segnalazioni: {reports} ({share} su un avviso pubblicato, {unknown} su problemi senza avviso)",
        "row": "{label}: {reports} ({unknown} senza avviso)",
        "none": "nessuna",
        "top_lines": "Linee più segnalate",
        "top_stops": "Fermate più segnalate",
        "top_places": "Luoghi e punti di servizio più segnalati",
        "categories": "Tipi di problema",
        "hot_spots": "Nuovi punti caldi (nessuna segnalazione nella settimana prima)",
        "unanswered": "Ancora senza risposta: {from_day} dei messaggi del giorno; {backlog} in coda adesso",
        "oldest": ", il più vecchio da {age}",
        "subject": "{operator}: riepilogo del {day}",
    },
    "en": {
        "title": "{operator}: digest for {day}",
        "reports": "Reports: {reports} ({share} matched a published alert, {unknown} the operator had no alert for)",
        "row": "{label}: {reports} ({unknown} without an alert)",
        "none": "none",
        "top_lines": "Top lines",
        "top_stops": "Top stops",
        "top_places": "Top places and service points",
        "categories": "Kinds of problem",
        "hot_spots": "New hot spots (no reports in the week before)",
        "unanswered": "Unanswered: {from_day} of the day's messages still wait; {backlog} in the backlog now",
        "oldest": ", the oldest for {age}",
        "subject": "{operator}: digest for {day}",
    },
}


class DigestWords:
    """The digest's sentences, and the console's names of states, subject kinds and categories, in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "en"
        self._console: Callable[..., str] = translator(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        return WORDS[self.lang][key].format(**values)

    def state(self, state: str) -> str:
        """``awaiting_review`` as the console says it (``da rivedere``)."""
        return self._named(f"st_{state}", state)

    def kind(self, kind: str) -> str:
        """A subject's kind (``line``, ``street``, ...) as the console says it."""
        return self._named(f"subject_{kind}", kind)

    def category(self, category: str) -> str:
        """A complaint category (``delay``) as the console says it; another domain's own stays as it is."""
        return self._named(f"cat_{category}", category)

    def _named(self, key: str, fallback: str) -> str:
        text = self._console(key)
        return fallback if text == key else text
