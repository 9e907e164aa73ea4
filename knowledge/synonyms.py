"""Transit concepts shared by Italian and English words, so a FAQ question meets its entry in other words.

Written from general knowledge of how public-transport FAQs are asked (tickets, passes, fines,
luggage, animals, accessibility, ...), not from any test message. Each word maps, through its stem
(``knowledge.text.stem``), to one or more concept tokens; the FAQ matcher adds those tokens to the
words of both the stored texts and the message.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.text import stem

CONCEPT_MARK = "~"  # concept tokens start with it, so they never meet a real word

_CONCEPTS: dict[str, str] = {
    "appeal": "contest contestare contesto contestazione contestazioni ricorso ricorsi ricorrere impugnare"
              " opposizione opporsi annullamento appeal appeals dispute disputing challenge unfair ingiusta"
              " ingiusto sbagliata",
    "fine": "multa multe multato multata multati sanzione sanzioni sanzionato verbale contravvenzione fine fines"
            " fined penalty penalties",
    "pay": "pagare pago paga pagamento pagamenti saldare versamento pay paying payment paid",
    "contactless": "contactless tap tapping bancomat credito debito credit debit visa mastercard amex nfc"
                   " applepay googlepay smartwatch",
    "animal": "cane cani cagnolino cagnolina cucciolo gatto gatti animale animali guinzaglio museruola trasportino"
              " pet pets dog dogs puppy cat cats leash muzzle",
    "stroller": "passeggino passeggini stroller strollers pram prams pushchair buggy",
    "wheelchair": "carrozzina rotelle wheelchair wheelchairs disabile disabili disabilita disabled handicap"
                  " pedana rampa ramp ramps ribassato pianale accessibile accessibili accessible accessibility",
    "luggage": "valigia valige valigie bagaglio bagagli trolley luggage suitcase suitcases baggage",
    "bike": "bici bicicletta biciclette bike bikes bicycle bicycles cycle ciclisti",
    "scooter": "monopattino monopattini scooter scooters",
    "child": "bambino bambina bambini bimbo bimba bimbi figlio figlia figli neonato minorenne minori ragazzi"
             " child children kid kids son daughter toddler infant baby minor underage eta age",
    "buy": "comprare compro comprarlo acquistare acquisto acquisti vendita rivendita rivenditori tabacchi"
           " tabaccaio tabaccheria edicola emettitrice emettitrici macchinetta distributore buy buying"
           " purchase sell sold vending tobacconist newsagent",
    "unattended": "abbandonato abbandonata abbandonati incustodito incustodita sospetto sospetta suspicious"
                  " unattended abandoned",
    "report": "segnalare segnalo segnalazione denunciare avvisare report reporting tell",
    "lost": "perso persa persi perdere smarrito smarrita smarriti dimenticato dimenticata ritrovato ritrovati"
            " lost forgot forgotten left",
    "refund": "rimborso rimborsi rimborsare rimborsato rimborsabile restituzione refund refunds refunded reimburse"
              " reimbursement refundable",
    "strike": "sciopero scioperi strike strikes",
    "notify": "notifiche notifica avvisi avvisatemi allerta iscrivermi iscriversi iscrizione newsletter"
              " aggiornamenti sms push notification notifications notified alert alerts subscribe updates",
    "timetable": "orario orari timetable timetables schedule schedules frequenza frequency often feriali"
                 " festivi weekdays weekday",
    "night": "notte notturno notturna notturni nottambus night nightbus overnight mezzanotte midnight nighttime",
    "airport": "aeroporto aeroporti fiumicino ciampino airport airports flight volo",
    "journey": "arrivare arrivo arrivarci raggiungere percorso itinerario indicazioni directions reach route"
               " journey",
    "student": "studente studenti studentesse universitario universitari scuola student students school universita"
               " university",
    "month": "mensile mese mensili monthly month",
    "year": "annuale annuali anno annual yearly",
    "renew": "rinnovare rinnovo rinnova ricaricare ricarica renew renewal recharge topup",
    "wifi": "wifi internet connessione",
    "price": "costo costa costano prezzo prezzi tariffa tariffe price prices cost costs fare fares",
    "validate": "timbrare timbro obliterare obliterato convalidare convalida validare validate validation stamp"
                " validator validatrice obliteratrice",
    "tourist": "turista turisti turistico turistica tourist tourists visitor visitors giornaliero daily",
    "phone": "telefono telefonare chiamare chiamo numero call phone contattare contatto contact callcenter",
    "office": "biglietteria biglietterie sportello office offices",
    "parking": "parcheggio parcheggi parcheggiare macchina auto car cars park parking",
    "job": "lavoro lavorare assunzioni assumete assumendo curriculum concorso concorsi job jobs hiring career"
           " careers vacancy vacancies patente",
    "card": "tessera tessere card cards",
    "stolen": "rubato rubata rubati furto fregato fregata fregati scippato scippata stolen theft pickpocketed",
    "harass": "molestia molestie molestare molestato molestata molestano infastidire infastidisce importunare"
              " harass harassed harassing harassment bother bothering bothered aggressive aggressivo aggressiva",
}


# Concepts that are the subject of a question, not a detail of it: an answer must be about them.
HEAD_TOPICS: frozenset[str] = frozenset(f"{CONCEPT_MARK}{name}" for name in (
    "refund", "appeal", "fine", "lost", "stolen", "job", "airport", "animal", "bike", "luggage", "stroller",
    "scooter", "wheelchair", "wifi", "parking", "student", "unattended", "harass",
))

# Concepts told in several words, matched on normalised text (``knowledge.text.normalise``): the idiom
# carries the meaning, not any one of its words ("money back" is a refund, "stop running" a closing time).
_PHRASES: dict[str, str] = {
    "refund": r"money back|my money|riav(?:ere|erli|o|rei|rebbe|uto)|soldi indietro|(?:riavere|ridare|ridarmi|restituire|restituirmi|rivoglio)"
              r" (?:i |indietro i )?soldi|(?:get|got|getting) (?:the |my )?money|reimbursed",
    "buy": r"fa(?:re|ccio|rsi|ccia)? (?:il|un|i|l) (?:biglietto|biglietti|abbonamento)"
           r"|(?:get|buy) (?:a |my )?ticket on board",
    "hours": r"(?:a )?che ora (?:apre|aprono|chiude|chiudono|inizia|finisce|parte|va)|fino a che ora|fino a quando va"
             r"|orario di (?:apertura|chiusura)|(?:what|which) time does (?:\w+ ){1,3}(?:open|close|start|stop|run|finish)"
             r"|until what time|how late (?:does|do|is)|stop(?:s)? running|last (?:train|metro|run|departure)"
             r"|first (?:train|metro|run|departure)|opening hours|closing time|(?:ultima|prima) corsa"
             r"|(?:ultimo|primo) treno|(?:ultima|prima) metro",
    "night": r"after midnight|dopo mezzanotte|late at night|at night|di notte|in the night|la notte",
    "wifi": r"wi fi",
    "job": r"lavorare (?:per|con|da) voi|work for you|job application|candidatura|application for",
}
_PHRASE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), f"{CONCEPT_MARK}{concept}") for concept, pattern in _PHRASES.items()
)


def phrase_concepts(norm: str) -> tuple[str, ...]:
    """The concept tokens the idioms of a normalised text stand for, each once, in a fixed order."""
    return tuple(token for pattern, token in _PHRASE_PATTERNS if pattern.search(norm))


def _index() -> dict[str, tuple[str, ...]]:
    by_stem: dict[str, list[str]] = {}
    for concept, words in _CONCEPTS.items():
        for word in words.split():
            tokens = by_stem.setdefault(stem(word), [])
            if f"{CONCEPT_MARK}{concept}" not in tokens:
                tokens.append(f"{CONCEPT_MARK}{concept}")
    return {key: tuple(value) for key, value in by_stem.items()}


_BY_STEM = _index()


@lru_cache(maxsize=65536)
def concepts_of(term: str) -> tuple[str, ...]:
    """The concept tokens ("~fine", ...) a stemmed term stands for; () when none."""
    return _BY_STEM.get(term, ())
