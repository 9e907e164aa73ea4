"""Text normalisation for citizens' messages: Italian and English, social-media spelling."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "STOP_WORDS",
    "content_tokens",
    "normalise",
    "stem",
    "terms",
    "tokens",
]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[a-zA-Z])(?=[0-9])")
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}")
_NOT_WORD = re.compile(r"[^a-z0-9]+")

# Characters that NFKD does not reduce to ASCII but that have an obvious ASCII spelling.
_PRE_ASCII = str.maketrans({"’": " ", "‘": " ", "`": " ", "´": " ", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "þ": "th"})

# Shorthand and dialect spellings seen on Italian and English social media, after accent folding.
_SPELLINGS: dict[str, str] = {
    # Italian chat shorthand
    "xke": "perche", "xk": "perche", "xche": "perche", "perke": "perche", "pke": "perche",
    "x": "per", "nn": "non", "cmq": "comunque", "qnd": "quando", "qndo": "quando", "qdo": "quando",
    "ke": "che", "k": "che", "cn": "con", "sn": "sono", "tt": "tutti", "tnt": "tanto",
    "qlc": "qualche", "qlcs": "qualcosa", "qlcn": "qualcuno", "qls": "qualsiasi",
    "dv": "dove", "grz": "grazie", "msg": "messaggio", "num": "numero", "xo": "pero",
    "anke": "anche", "ank": "anche", "bn": "bene", "tel": "telefono", "abb": "abbonamento",
    "abbo": "abbonamento", "staz": "stazione",
    # Roman dialect
    "nun": "non", "quanno": "quando", "mo": "ora", "pe": "per", "cor": "con il",
    # English chat shorthand
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks",
    "thanx": "thanks", "ty": "thanks", "tmrw": "tomorrow", "tmr": "tomorrow", "2day": "today",
    "tonite": "tonight", "b4": "before", "ppl": "people", "cuz": "because", "coz": "because",
    "mins": "minutes", "min": "minutes", "hrs": "hours", "hr": "hour", "dont": "do not",
    "cant": "can not", "cannot": "can not", "wont": "will not", "im": "i am", "whats": "what is",
}

_IT_STOP = frozenset(
    """
    a ad al all alla alle allo agli ai anche ancora altro altri altra altre avere avete abbiamo
    avevo aveva ha hai ho hanno c ce ci che chi cio co col coi con cosa cui d da dal dall dalla
    dalle dallo dagli dai de degli dei del dell della delle dello di e ed era erano essere
    esso essa fa fare fatto fra gia gli ha i il in io la le li lo loro lui lei ma me mi mia mie
    miei mio ne negli nei nel nell nella nelle nello noi non o ogni per pero piu poi possa
    posso puo quale quali quel quella quelle quelli quello questa queste questi questo
    quest qui se sei si sia siamo siete sono su sua sue sui sul sull sulla sulle sullo suo suoi
    ti tra tu tua tue tuo tuoi tutto tutti tutta tutte un una uno vi voi vostro vostra l s n po
    vostri vostre c e ho hai hanno sto sta stai stiamo stanno stato stata devo deve dobbiamo
    devono vorrei voglio volevo vuoi vuole potete possiamo possono qualche qualcuno qualcosa
    tipo cioe comunque allora quindi pure magari solo ecco eh ah oh beh boh mah
    ciao salve buongiorno buonasera buonanotte grazie prego scusate scusa scusi gentili per favore
    favore perfavore aho ahah ahaha lol fino finche roma
    """.split()
)

_EN_STOP = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can could couldn did didn do does doesn doing don down
    during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his i if in into is isn it its itself just ll m me more most my myself
    no nor not now o of off on once only or other our ours ourselves out over own re s same
    she should so some such t than that the their theirs them themselves then there these they
    this those through to too under until up very was wasn we were weren what which while who
    whom why will with won would wouldn y you your yours yourself yourselves ve d get got
    hi hello hey thanks thank please sorry ok okay yes yeah guys lol also really just still rome
    """.split()
)

STOP_WORDS: dict[str, frozenset[str]] = {"it": _IT_STOP, "en": _EN_STOP}
_ALL_STOP = _IT_STOP | _EN_STOP

# Light suffix folding shared by Italian and English (longest suffix first).  It is not a full
# stemmer: it only makes singular/plural, gender and common verb endings meet.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("issimamente", ""), ("amente", ""), ("amenti", ""), ("amento", ""), ("imenti", ""),
    ("imento", ""), ("azioni", ""), ("azione", ""), ("ations", ""), ("ation", ""),
    ("ating", ""), ("ated", ""),
    ("issimo", ""), ("issima", ""), ("issimi", ""), ("issime", ""), ("mente", ""),
    ("zioni", "z"), ("zione", "z"), ("ando", ""), ("endo", ""), ("iamo", ""), ("ings", ""),
    ("ing", ""), ("ies", "y"), ("ied", "y"), ("are", ""), ("ere", ""), ("ire", ""), ("ato", ""),
    ("ata", ""), ("ati", ""), ("ate", ""), ("ito", ""), ("ita", ""), ("iti", ""), ("ite", ""),
    ("uto", ""), ("uta", ""), ("uti", ""), ("ute", ""), ("ano", ""), ("sses", "ss"),
    ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("ses", "s"), ("ed", ""),
    ("es", ""), ("a", ""), ("e", ""), ("i", ""), ("o", ""), ("s", ""),
)
_MIN_STEM = 3
_KEEP_ENDINGS = frozenset({"ss", "us", "is"})


@lru_cache(maxsize=1024)  # the router, the FAQ matcher and the alert choice each normalise the same text
def normalise(text: str) -> str:
    """Return `text` lower-cased, ASCII-folded, with shorthand expanded and punctuation as spaces."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    text = unicodedata.normalize("NFKD", text.lower().translate(_PRE_ASCII))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = _REPEATED_LETTER.sub(r"\1", text)
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(_SPELLINGS.get(word, word) for word in words)


def tokens(text: str) -> list[str]:
    """Return the normalised words of `text`."""
    return normalise(text).split()


def content_tokens(text: str, lang: str | None = None) -> list[str]:
    """Return the normalised words of `text` minus the stop words of `lang` (both when None)."""
    stop = STOP_WORDS.get(lang, _ALL_STOP) if lang else _ALL_STOP
    return [word for word in tokens(text) if word not in stop]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Fold the inflection of an Italian or English word (biglietti, biglietto -> bigliett)."""
    if len(word) <= _MIN_STEM or word.isdigit():
        return word
    if word[-2:] in _KEEP_ENDINGS:
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix):
            base = word[: len(word) - len(suffix)]
            if len(base) + len(replacement) >= _MIN_STEM:
                return base + replacement
    return word


def terms(text: str, lang: str | None = None) -> list[str]:
    """Return the stems of the content words of `text`: the unit the FAQ matcher indexes."""
    return [stem(word) for word in content_tokens(text, lang)]
