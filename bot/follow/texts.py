"""What followers read, in Italian and English: replies to the follow commands and alert notices."""

from __future__ import annotations

DESK = {
    "it": {
        "added": "Fatto: ti avviserò quando un avviso riguarda {what}. Per smettere: {stop}.",
        "already": "Segui già {what}. Per smettere: {stop}.",
        "full": "Segui già {limit} linee o fermate, il massimo. Togline una con {stop_any}.",
        "removed": "Fatto: non riceverai più avvisi per {what}.",
        "removed_all": "Fatto: non segui più nessuna linea o fermata.",
        "not_followed": "Non seguivi {what}.",
        "none": "Non segui nessuna linea o fermata. Prova {example}.",
        "list": "Segui: {items}.\nPer smettere: {stop_any}.",
        "unknown_line": "Non trovo la linea «{arg}».",
        "unknown_stop": "Non trovo la fermata con codice «{arg}». Il codice è sul palo della fermata.",
        "suggest": " Forse cercavi: {names}?",
        "ask": "Quale linea o fermata? Ad esempio {example}.",
        "channel": "Puoi seguire una linea su Telegram o nella chat del sito.",
        "quiet": " Non scrivo tra le {start} e le {end}.",
    },
    "en": {
        "added": "Done: I will tell you when an alert touches {what}. To stop: {stop}.",
        "already": "You already follow {what}. To stop: {stop}.",
        "full": "You already follow {limit} lines or stops, the most allowed. Remove one with {stop_any}.",
        "removed": "Done: no more alerts for {what}.",
        "removed_all": "Done: you no longer follow any line or stop.",
        "not_followed": "You were not following {what}.",
        "none": "You follow no line or stop. Try {example}.",
        "list": "You follow: {items}.\nTo stop: {stop_any}.",
        "unknown_line": "I cannot find line “{arg}”.",
        "unknown_stop": "I cannot find a stop with code “{arg}”. The code is on the stop pole.",
        "suggest": " Did you mean: {names}?",
        "ask": "Which line or stop? For example {example}.",
        "channel": "You can follow a line on Telegram or in the website chat.",
        "quiet": " I do not write between {start} and {end}.",
    },
}

#: How a command is shown to the citizen, per channel: Telegram has commands, the web chat has words.
HOW = {
    ("telegram", "it"): {"follow": "/segui {arg}", "unfollow": "/smetti {arg}", "example": "/segui 64 o /segui fermata 70340", "stop_any": "/smetti 64 (o /smetti tutto)"},
    ("telegram", "en"): {"follow": "/follow {arg}", "unfollow": "/unfollow {arg}", "example": "/follow 64 or /follow stop 70340", "stop_any": "/unfollow 64 (or /unfollow all)"},
    ("web", "it"): {"follow": "«avvisami per {arg}»", "unfollow": "«non avvisarmi più per {arg}»", "example": "«avvisami per il 64»", "stop_any": "«non avvisarmi più per il 64»"},
    ("web", "en"): {"follow": "“notify me about {arg}”", "unfollow": "“stop notifying me about {arg}”", "example": "“notify me about line 64”", "stop_any": "“stop notifying me about line 64”"},
}

#: The same forms on a desk whose citizens follow places (a water or waste service, no lines).
HOW_PLACE = {
    ("telegram", "it"): {"follow": "/segui {arg}", "unfollow": "/smetti {arg}", "example": "/segui via Sparano a Bari o /segui quartiere Murat", "stop_any": "/smetti via Sparano a Bari (o /smetti tutto)"},
    ("telegram", "en"): {"follow": "/follow {arg}", "unfollow": "/unfollow {arg}", "example": "/follow via Sparano in Bari or /follow Murat district", "stop_any": "/unfollow via Sparano in Bari (or /unfollow all)"},
    ("web", "it"): {"follow": "«avvisami per {arg}»", "unfollow": "«non avvisarmi più per {arg}»", "example": "«avvisami per via Sparano a Bari»", "stop_any": "«non avvisarmi più per via Sparano a Bari»"},
    ("web", "en"): {"follow": "“notify me about {arg}”", "unfollow": "“stop notifying me about {arg}”", "example": "“notify me about via Sparano in Bari”", "stop_any": "“stop notifying me about via Sparano in Bari”"},
}

#: Replies about places that differ from the line ones.
PLACE_DESK = {
    "it": {
        "added": "Fatto: ti avviserò quando un disservizio riguarda {what}. Per smettere: {stop}.",
        "full": "Segui già {limit} linee, fermate o luoghi, il massimo. Togline uno con {stop_any}.",
        "removed_all": "Fatto: non segui più nulla.",
        "none": "Non segui nessun luogo. Prova {example}.",
        "unknown_place": "Non trovo «{arg}» tra le vie, i quartieri e i punti del servizio. Scrivi la via e il comune, ad esempio {example}.",
        "ask": "Quale via, quartiere o punto del servizio? Ad esempio {example}.",
        "channel": "Puoi seguire una via o un quartiere su Telegram o nella chat del sito.",
        "tied": "Con questo nome conosco più luoghi: {options}. Quale vuoi seguire? Scrivilo con il servizio, ad esempio {example}.",
        "or": " oppure ",
    },
    "en": {
        "added": "Done: I will tell you when an outage touches {what}. To stop: {stop}.",
        "full": "You already follow {limit} lines, stops or places, the most allowed. Remove one with {stop_any}.",
        "removed_all": "Done: you no longer follow anything.",
        "none": "You follow no place. Try {example}.",
        "unknown_place": "I cannot find “{arg}” among the streets, districts and service points. Write the street and the town, for example {example}.",
        "ask": "Which street, district or service point? For example {example}.",
        "channel": "You can follow a street or a district on Telegram or in the website chat.",
        "tied": "I know several places by that name: {options}. Which one do you want to follow? Write it with the service, for example {example}.",
        "or": " or ",
    },
}

NOTICE = {
    "it": {
        "start": "⚠️ Nuovo avviso per {what}: {header}",
        "change": "🔄 Avviso aggiornato per {what}: {header}",
        "end": "✅ Finito: {header} ({what})",
        "since": "Dalle {time} del {day}.",
        "at": "Alle {time} del {day}.",
        "footer": "Hai chiesto tu questi avvisi. Per smettere: {stop}.",
    },
    "en": {
        "start": "⚠️ New alert for {what}: {header}",
        "change": "🔄 Alert updated for {what}: {header}",
        "end": "✅ Over: {header} ({what})",
        "since": "Since {time} on {day}.",
        "at": "At {time} on {day}.",
        "footer": "You asked for these alerts. To stop: {stop}.",
    },
}


#: Notices of an outage covering a followed place (the ``since``, ``at`` and ``footer`` lines are NOTICE's).
OUTAGE_NOTICE = {
    "it": {
        "start": "⚠️ Disservizio per {what}: {header}",
        "change": "🔄 Disservizio aggiornato per {what}: {header}",
        "end": "✅ Finito il disservizio: {header} ({what})",
    },
    "en": {
        "start": "⚠️ Outage for {what}: {header}",
        "change": "🔄 Outage updated for {what}: {header}",
        "end": "✅ Outage over: {header} ({what})",
    },
}


def how(channel: str, lang: str, *, places: bool = False) -> dict[str, str]:
    """The command forms to show on ``channel`` (web-chat words for any channel without commands); ``places``:
    with a place as the example (a desk without lines)."""
    forms = HOW_PLACE if places else HOW
    return forms.get((channel, lang)) or forms[("web", lang)]

#: On a desk whose citizens follow only places (a water or waste service alone): no lines or stops named.
ONLY_PLACES = {
    "it": {"full": "Segui già {limit} luoghi, il massimo. Togline uno con {stop_any}."},
    "en": {"full": "You already follow {limit} places, the most allowed. Remove one with {stop_any}."},
}
