"""The web chat page's language: the citizen's pick, else their browser's Accept-Language; and its words."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("it", "en")
#: The cookie remembering the citizen's pick from the page's language switch.
COOKIE = "sportello_chat_lang"

WORDS: dict[str, dict[str, str]] = {
    "it": {
        "intro": "Scrivici: stato delle linee, biglietti, segnalazioni.",
        "label": "Messaggio",
        "placeholder": "Es. il 64 è in ritardo?",
        "send": "Invia",
        "you": "Tu",
        "bot": "Sportello",
        "agent": "Operatore",
        "waiting": "In attesa di risposta…",
        "offline": "Connessione assente, riprovo…",
        "failed": "Invio non riuscito, riprova.",
        "error": "Errore",
        "count": "{n} / {max} caratteri",
        "too_long": "Troppo lungo: al massimo {max} caratteri, togline {over}.",
        "switch": "English",
    },
    "en": {
        "intro": "Write to us: line status, tickets, reports.",
        "label": "Message",
        "placeholder": "E.g. is the 64 late?",
        "send": "Send",
        "you": "You",
        "bot": "Sportello",
        "agent": "Agent",
        "waiting": "Waiting for a reply…",
        "offline": "No connection, retrying…",
        "failed": "Sending failed, try again.",
        "error": "Error",
        "count": "{n} / {max} characters",
        "too_long": "Too long: at most {max} characters, remove {over}.",
        "switch": "Italiano",
    },
}


def chat_language(request: Request) -> str:
    """``?lang=``, else the remembered pick, else the first of it/en in Accept-Language, else Italian."""
    for picked in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if picked in LANGUAGES:
            return picked
    return accepted(request.headers.get("accept-language", ""))


def accepted(header: str) -> str:
    """The preferred of Italian and English in an Accept-Language header (Italian when neither)."""
    best, best_q = "it", -1.0
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower()[:2]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if lang in LANGUAGES and q > 0 and q > best_q:  # q=0 means "not this one"
            best, best_q = lang, q - position * 1e-6  # equal weights: the first listed wins
    return best
