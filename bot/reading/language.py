"""Which language a citizen wrote in: Italian or English, from function words and common spellings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.text import normalise

# Words that give a language away; greetings count little ("Ciao! Is the metro open?" is English).
_ITALIAN = frozenset(
    """
    il lo la gli le un una uno di del dello della dei degli delle da dal dalla dai al alla ai
    allo nel nella nei sul sulla sui col che chi non piu e ed o ma se per con tra fra c ce ci mi
    ti si vi ne sono sei siamo siete ho hai ha abbiamo hanno era erano sto sta stiamo stanno
    come quando dove perche quanto quanta quanti quale qual cosa oggi domani ieri stamattina
    stasera stanotte ancora anche gia sempre mai adesso ora poi dopo prima ogni tutto tutti
    passa passano funziona funzionano arriva ferma fermata fermate biglietto biglietti
    abbonamento sciopero ritardo ritardi chiusa chiuso aperta posso puoi puo si devo serve
    bisogna vorrei sapere ecco qualcuno nessuno niente treno treni autobus linea corsa corse
    della nella questo questa quel quella mio mia tuo vostro vostra nostro nun er pe so
    problemi problema disagi citta domenica sabato lunedi martedi mercoledi giovedi venerdi mattina sera notte settimana
    prossimo prossima scorso scorsa grazie scusate scusa buongiorno buonasera ciao salve
    """.split()
)
_ENGLISH = frozenset(
    """
    the a an is are was were be been am i you he she we they it my your our their me us them
    this that these those there here what which who whom whose why how when where can could
    will would shall should do does did don t doesn didn isn aren wasn not no of to in on at
    from with for by about into after before during and or but if so than then just still
    today tomorrow tonight yesterday morning evening night week weekend next last now again
    any some every all running run runs late delayed delay strike closed open station stop
    ticket tickets pass fine get got take need want know please thanks thank sorry waiting
    been going there s m ll ve re since ago line lines train trains driver hi hello hey
    """.split()
)
#: Words of water and waste messages that only Italian spells so (not Spanish, French or Portuguese): each weighs
#: more, so "viale Papa Giovanni XXIII a Bari senza acqua" is clear Italian whatever a street's proper names look
#: like to the learned reader's language guess.
_UTILITY = {"acqua": 1.5, "senza": 1.5, "manca": 1.5, "mancanza": 1.5, "perdita": 1.5, "guasto": 1.5,
            "bolletta": 1.5, "bollette": 1.5, "contatore": 1.5, "rifiuti": 1.5, "spazzatura": 1.5,
            "immondizia": 1.5, "cassonetto": 1.5, "cassonetti": 1.5, "raccolta": 1.0, "differenziata": 1.5,
            "pieno": 1.0, "piena": 1.0, "pieni": 1.0, "fogna": 1.5, "tombino": 1.5, "allagata": 1.5, "allagato": 1.5, "rubinetto": 1.5, "rubinetti": 1.5,
            # Italian street words: little weight (an English writer names the street as it is, "via Roma").
            "viale": 0.5, "piazza": 0.5, "piazzale": 0.5, "vicolo": 0.5, "corso": 0.5, "lungomare": 0.5}
_WEAK = {"ciao": 0.2, "buongiorno": 0.3, "grazie": 0.5, "scusate": 0.5, "hi": 0.2, "hello": 0.2,
         "hey": 0.2, "thanks": 0.5, "ok": 0.0, "a": 0.3, "e": 0.5, "o": 0.3, "no": 0.3, "in": 0.4,
         "se": 0.6, "stop": 0.3, "open": 0.5, "pass": 0.3, "metro": 0.0}

DEFAULT_LANGUAGE = "it"


def language_scores(text: str, norm: str | None = None) -> tuple[float, float]:
    """(Italian evidence, English evidence) in ``text`` (``norm``: its normalised form, if known)."""
    italian = english = 0.0
    for word in (normalise(text) if norm is None else norm).split():
        weight = _WEAK.get(word, 1.0)
        if word in _UTILITY:
            italian += _UTILITY[word]
        elif word in _ITALIAN:
            italian += weight
        if word in _ENGLISH:
            english += weight
    return italian, english


def detect_language(text: str) -> str:
    """``"it"`` or ``"en"``: the language the reply must be in (Italian when it cannot be told)."""
    italian, english = language_scores(text)
    return "en" if english > italian else DEFAULT_LANGUAGE


_MIN_LETTERS = 12  # shorter texts ("64?", "ok grazie") are never taken for a foreign language
_CLEAR = 3.0  # Italian or English evidence from which no other language is believed
_SURE = 0.5  # the model's probability from which a language other than Italian or English is believed


@dataclass(frozen=True)
class LanguageReading:
    """The language a message is written in and the one its reply goes out in."""

    written: str
    reply: str
    served: bool


def read_language(
    text: str,
    norm: str | None = None,
    *,
    served: tuple[str, ...] = ("it", "en"),
    identify: Callable[[], tuple[str, float]] | None = None,
) -> LanguageReading:
    """Italian or English from function words; any other language from the learned reader, when neither is clear.

    ``identify`` returns the model's language and probability (asked only when needed). A message in a
    language the operator does not serve is replied to in English (and Italian, by the handler).
    """
    italian, english = language_scores(text, norm)
    reply = "en" if english > italian else DEFAULT_LANGUAGE
    if identify is None or max(italian, english) >= _CLEAR or sum(map(str.isalpha, text)) < _MIN_LETTERS:
        return LanguageReading(reply, reply, reply in served)
    written, probability = identify()
    if written in ("it", "en") or probability < _SURE:
        return LanguageReading(reply, reply, reply in served)
    if written in served:
        return LanguageReading(written, written, True)
    return LanguageReading(written, "en" if "en" in served else served[0], False)
