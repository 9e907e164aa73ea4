"""Finding the lines a citizen's message names, telling line numbers from other numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from weakref import WeakKeyDictionary


from knowledge.gtfs import GtfsIndex

# Words that announce a line. Each set is small vocabulary (Italian and English), not a list of lines.
_VEHICLE = frozenset({
    "bus", "autobus", "bussino", "tram", "linea", "linee", "line", "lines", "route", "routes", "navetta",
    "navette", "shuttle", "sostitutivo", "sostitutiva", "sostitutivi", "notturno", "notturna", "filobus",
    "trolleybus", "ligne", "línea", "linha", "linie", "linii", "linią", "линия", "лінія", "γραμμή",
    # the same cues as tourists write them (es, fr, pt, de, ro, pl, uk, ru)
    "autobús", "autobuz", "autobuzul", "ônibus", "onibus", "автобус", "автобуса", "автобусі", "tranvía", "tranvia",
    "tramway", "tramvai", "tramvaiul", "tramwaj", "tramwaju", "bonde", "straßenbahn", "strassenbahn", "трамвай",
    "трамвае", "трамваї", "버스", "트램", "বাস", "ٹرام", "الترام", "اتوبوس", "تراموای", "ትራም",
})
# Words for "line" that also announce a metro letter ("linea A", "la línea A", "ligne C", "Linie B").
_LINE_WORD = frozenset({
    "linea", "linee", "line", "lines", "línea", "ligne", "linha", "linie", "linii", "linią", "линия", "лінія",
    "γραμμή", "خط", "الخط", "tuyến",
})
_METRO = frozenset({
    "metro", "metropolitana", "metrò", "subway", "underground", "métro", "metrô", "metroul", "metroului", "metrou",
    "metra", "metrze", "metroja", "bahn", "метро", "μετρό", "메트로", "지하철", "مترو", "المترو", "ሜትሮ",
})
# Lines inside Chinese, Japanese and Korean words, which have no spaces: "64路", "40番", "170번", "地铁B线", "A선".
_CJK_NUMBER = re.compile(r"(\d+)(?:路|番|번)|(?:トラム)(\d+)")
_CJK_LETTER = re.compile(r"([ABC]1?)(?:线|線|선)|(?:地铁|地下鉄|メトロ)([ABC]1?)")
_CYRILLIC_LETTER = str.maketrans("АВС", "ABC")  # "метро А" typed on a Cyrillic keyboard
# Articles and articulated prepositions that precede a line number ("il 64", "dell'8", "er 30", "the 64").
_ARTICLE = frozenset({
    "il", "l", "lo", "del", "dell", "dello", "al", "all", "allo", "sul", "sull", "sullo", "col", "coll",
    "dal", "dall", "dallo", "nel", "nell", "nello", "pel", "er", "quel", "quell", "questo", "sto", "the",
    "su",
})
_FEMININE = frozenset({"la", "della", "alla", "sulla", "dalla", "nella", "colla", "the"})
# Place-holders between a cue and the number: "bus n. 64", "linea numero 8", "the number 8 tram".
_NUMBER_WORD = frozenset({"n", "no", "nr", "num", "numero", "number", "n°", "nº"})
# Words before a number that make it a time, a duration, an amount, an id or an address.
_NOT_LINE_BEFORE = frozenset({
    "alle", "ore", "h", "dalle", "entro", "ogni", "every", "verso", "circa", "intorno", "tra", "fra", "in",
    "per", "da", "for", "since", "at", "after", "before", "prima", "dopo", "di", "of", "a", "fino", "oltre",
    "over", "under", "almeno", "least", "than", "x", "costa", "costano", "costato", "pagato", "pago",
    "paid", "pay", "cost", "costs", "spent", "speso", "aspetto", "aspettato", "aspettando", "waited",
    "waiting", "wait", "sono", "siamo", "erano", "eravamo", "ho", "hai", "ha", "abbiamo", "hanno", "have",
    "has", "had", "fermata", "fermate", "stop", "palina", "paline", "codice", "code", "verbale", "pratica",
    "multa", "fine", "tessera", "card", "tel", "telefono", "phone", "cell", "whatsapp", "chiamato",
    "called", "call", "chiamare", "ultimi", "ultime", "last", "next", "prossimi", "prossime", "solo",
    "only", "just", "about", "around", "approx", "quasi", "almost", "ben", "tipo", "like", "anche", "also",
    "posto", "binario", "platform", "gate", "vagone", "carrozza", "uscita", "exit", "piano", "floor",
    "pagina", "page", "sconto", "meno", "più", "piu", "more", "less", "+", "-", "×",
    # ages, documents and elapsed time: "Pietro (anni 81)", "aged 81", "fattura n. 118", "error 500", "1 hour 20"
    "anni", "età", "eta", "aged", "age", "fattura", "invoice", "bolletta", "ricevuta", "civico", "errore", "error",
    "hour", "hours", "been", "into", "delayed",
    # clock times: "sono le 7", "il bus delle 8", "passati 20 (minuti)"
    "le", "delle", "nelle", "sulle", "passati", "passate", "trascorsi", "quarter", "past", "half",
})
_STREET = frozenset({
    "via", "viale", "v", "piazza", "p", "pza", "piazzale", "largo", "corso", "vicolo", "lungotevere",
    "circonvallazione", "borgo", "salita", "street", "st", "avenue", "road",
})
# Nouns after a number that make it a count, a duration, an amount or a date.
_UNIT_AFTER = frozenset({
    "min", "mins", "minuti", "minuto", "minute", "minutes", "m", "h", "hr", "hrs", "ore", "ora", "hours",
    "hour", "sec", "secondi", "secondo", "seconds", "giorni", "giorno", "gg", "days", "day", "settimane",
    "settimana", "weeks", "week", "mesi", "mese", "months", "month", "anni", "anno", "years", "year", "yo",
    "euro", "eur", "euros", "cent", "centesimi", "cents", "dollars", "persone", "persona", "people",
    "person", "persons", "passeggeri", "passengers", "bambini", "bambine", "bimbi", "figli", "figlie",
    "children", "kids", "ragazzi", "ragazze", "adulti", "adults", "anziani", "signore", "volte", "volta",
    "times", "gradi", "degrees", "km", "chilometri", "metri", "meters", "metres", "percento", "fermate",
    "treni", "trains", "corse", "vetture", "carrozze", "vagoni", "biglietti", "tickets", "valigie", "bags",
    "suitcases", "borse", "zaini", "posti", "seats", "stazioni", "stations", "scale", "gradini", "steps",
    "piani", "floors", "ticket", "biglietto", "chili", "kg", "litri", "notti", "nights", "sere", "mattine",
    "giri", "messaggi", "email", "mail", "telefonate", "chiamate", "calls", "reclami", "segnalazioni",
    "tweet", "am", "pm", "oclock", "mezza", "mezzo", "quarti",
    "bus", "autobus", "tram", "linee", "lines", "fermate", "stops", "controllori", "autisti", "drivers",
    "mesate", "rate", "punti", "points", "gr", "cm", "mm", "ml", "past",
    # the same units as tourists write them
    "minutos", "minuten", "minut", "minuta", "minuty", "минут", "минуты", "хвилин", "λεπτά", "dakika", "dakikadır",
    "horas", "stunden", "jam", "graden", "graus", "دقيقة",
})
# A person before "is", "am", "'m", "ist": "my dad is 85", "I'm 23", "mein Vater ist 90" give an age.
_PERSON = frozenset({
    "i", "he", "she", "son", "daughter", "dad", "father", "mum", "mom", "mother", "grandma", "granny", "grandad",
    "grandpa", "grandfather", "grandmother", "wife", "husband", "boy", "girl", "kid", "child", "baby", "brother",
    "sister", "vater", "mutter", "sohn", "tochter", "oma", "opa",
})
_COPULA = frozenset({"is", "am", "m", "s", "was", "ist"})
# Words before an article that make the number a telephone number: "abbiamo chiamato il 118", "call the 112".
_CALL = frozenset({
    "chiamato", "chiamare", "chiama", "chiamate", "chiamo", "chiamata", "called", "call", "calling", "ambulanza",
    "ambulance",
})
_MONTHS = frozenset({
    "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
    "novembre", "dicembre", "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "sett", "ott",
    "nov", "dic", "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "jun", "jul", "aug", "sep", "oct", "dec",
})
_WEEKDAYS = frozenset({
    "lunedi", "lunedì", "martedi", "martedì", "mercoledi", "mercoledì", "giovedi", "giovedì", "venerdi",
    "venerdì", "sabato", "domenica", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun",
})
# Cues of a single-letter line only ("esperando o H", "auf den H", "H bus", "H driver").
_LETTER_ARTICLE = frozenset({"o", "el", "le", "den", "der"})
_LETTER_NEXT = frozenset({"bus", "driver", "drivers", "autista", "line", "linea"})
_GERMAN_LINE = re.compile(r"(\d+)er")
_PLURAL_LINE = re.compile(r"(\d+)s")
_COUNT_WORD = frozenset({"two", "three", "four", "five", "six", "several", "many", "few"})
# Italian puts no preposition after the preposition «a»: «A per Anagnina», «A da Battistini» name metro A.
_AFTER_LETTER_A = frozenset({"per", "da", "ad", "fino", "verso", "direzione"})
_LIST_JOIN = frozenset({",", "e", "and", "o", "or", "/", "&", "oppure", "ed"})
_PUNCT_BREAK = frozenset({".", "!", "?", ":", ";", "(", ")", "[", "]", "\"", "…", "|", "→"})
_APOSTROPHES = "'’`´"
_TOKEN = re.compile(r"[^\W_]+|\S")


@dataclass(frozen=True, slots=True)
class Token:
    """A word, number or single symbol with its position in the text."""

    text: str
    low: str
    start: int
    end: int

    @property
    def is_number(self) -> bool:
        return self.text.isdigit()


def tokenize(text: str) -> list[Token]:
    """Words, numbers and single symbols (apostrophes, punctuation, €, %, #) with their spans; digits of any
    script read as ASCII digits ("৬৪", "۱۷۰")."""
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if word.isdigit() and not word.isascii():
            word = "".join(str(unicodedata.digit(c)) for c in word)
        tokens.append(Token(word, word.lower(), m.start(), m.end()))
    return tokens


class RouteFinder:
    """Aliases of one feed's routes, derived from routes.txt (metro letters from route_type 1)."""

    def __init__(self, index: GtfsIndex) -> None:
        self.exact: dict[str, str] = {}       # short name as written -> route_id
        self.folded: dict[str, str] = {}      # case-insensitive forms of distinctive short names
        self.letters: dict[str, str] = {}     # single-letter lines ("H"): need a cue
        self.metro: dict[str, str] = {}       # metro letter ("A", "B1") -> route_id
        self.metro_codes: dict[str, str] = {}  # "MA", "MEA", "MB1" -> route_id
        for route in index.routes.values():
            name = route.short_name.strip()
            if route.kind == "metro":
                letter = route.display_name.upper()
                if re.fullmatch(r"[A-Z]\d?", letter):
                    self.metro[letter] = route.route_id
            if not name:
                continue
            if len(name) == 1 and name.isalpha():
                self.letters[name] = route.route_id
                continue
            self.exact.setdefault(name, route.route_id)
            has_digit = any(c.isdigit() for c in name)
            letters = sum(c.isalpha() for c in name)
            mixed_case = name != name.upper() and name != name.lower()
            if (has_digit and letters and (name[0].isalpha() or letters >= 2)) or (not has_digit and mixed_case):
                self.folded.setdefault(name.lower(), route.route_id)
        for letter, route_id in self.metro.items():
            for code in (f"M{letter}", f"ME{letter}"):
                if code not in self.exact:
                    self.metro_codes[code] = route_id

    def find(self, text: str) -> list[str]:
        """Route ids the text names, in order of first mention, without repeats."""
        tokens = tokenize(text)
        shouting = _shouting(text)
        found: list[str] = []
        verdicts: dict[int, bool] = {}
        not_lines: set[str] = set()
        for i, tok in enumerate(tokens):
            route_id = self._route_at(tokens, i, shouting, verdicts, not_lines)
            if route_id and route_id not in found:
                found.append(route_id)
        return found

    # ---- one token -----------------------------------------------------------------------------
    def _route_at(self, tokens: list[Token], i: int, shouting: bool, verdicts: dict[int, bool],
                  not_lines: set[str]) -> str | None:
        tok = tokens[i]
        if _is_hashtag(tokens, i):
            return self._hashtag(tok.text)
        glued = self._glued_cue(tok.text)  # "tram8", "metroA" written without a space
        if glued:
            return glued
        german = _GERMAN_LINE.fullmatch(tok.text)  # "im 64er", "der 40er" (not "die 40er Jahre")
        if german and _next_word(tokens, i) not in ("jahre", "jahren"):
            return self.exact.get(german.group(1))
        if not tok.text.isascii():
            cjk = self._cjk(tok.text)
            if cjk:
                return cjk
        plural = _PLURAL_LINE.fullmatch(tok.text)  # "two 62s in a row", "three 40s go by"
        if plural and _prev_word(tokens, i) in _COUNT_WORD:
            return self.exact.get(plural.group(1))
        if tok.is_number:
            route_id = self.exact.get(tok.text)
            if route_id is None:  # still judged: "le 7 e 40" is a time even where no line 7 exists
                verdicts[i] = self._number_is_line(tokens, i, verdicts, not_lines)
                return None
            is_line = self._number_is_line(tokens, i, verdicts, not_lines)
            verdicts[i] = is_line
            if not is_line:
                not_lines.add(tok.text)
            return route_id if is_line else None
        if _inside_tag(tokens, i):  # "(MA-MB-FS)" in a copied stop name
            return None
        prev = _prev_word(tokens, i)
        if tok.text in self.exact and not tok.text.isalpha():
            return self.exact[tok.text]
        if tok.low in self.folded:
            return self.folded[tok.low]
        letter = tok.text.upper()
        if prev in _METRO and tok.text.isupper():
            letter = letter.translate(_CYRILLIC_LETTER)
        if letter in self.metro and self._metro_letter_cued(tokens, i, prev):
            return self.metro[letter]
        if len(letter) == 2 and letter in self.metro and prev not in ("livello", "level", "niveau"):  # "B1": no cue
            return self.metro[letter]
        if tok.text in self.metro_codes and (not shouting or prev in _METRO | _FEMININE):
            return self.metro_codes[tok.text]
        if tok.text in self.exact and tok.text.isalpha():  # "MC", "RMG", "MEA"
            if not shouting or prev in _VEHICLE | _ARTICLE:
                return self.exact[tok.text]
        if tok.text in self.letters and not _apostrophe_after(tokens, i) and (
                prev in _VEHICLE | _ARTICLE | _FEMININE | _LETTER_ARTICLE
                or _next_word(tokens, i) in _LETTER_NEXT or _opens_message(tokens, i)):  # "H bus", "H regolare?"
            return self.letters[tok.text]
        if tok.text.islower() and tok.text.upper() in self.letters and _elided(tokens, i):  # "dell'h"
            return self.letters[tok.text.upper()]
        return None

    def _cjk(self, word: str) -> str | None:
        """The first line named inside a word of a script written without spaces."""
        number = _CJK_NUMBER.search(word)
        letter = _CJK_LETTER.search(word)
        if number and (letter is None or number.start() < letter.start()):
            return self.exact.get(number.group(1) or number.group(2))
        if letter:
            return self.metro.get(letter.group(1) or letter.group(2))
        return None

    def _glued_cue(self, word: str) -> str | None:
        low = word.lower()
        for cue in ("metro", "linea", "line", "tram", "bus"):
            rest = word[len(cue):]
            if low.startswith(cue) and rest and (rest.isdigit() or (rest.isupper() and cue in ("metro", "linea"))):
                return self._hashtag(word)
        return None

    def _hashtag(self, word: str) -> str | None:
        low = word.lower()
        for cue in sorted(_VEHICLE | _METRO, key=len, reverse=True):
            if low.startswith(cue) and len(low) > len(cue):
                rest = word[len(cue):]
                if rest.upper() in self.metro and cue in _METRO | {"linea", "line"}:
                    return self.metro[rest.upper()]
                return self.exact.get(rest) or self.folded.get(rest.lower())
        return self.exact.get(word) or self.folded.get(low)

    def _metro_letter_cued(self, tokens: list[Token], i: int, prev: str | None) -> bool:
        tok = tokens[i]
        if _apostrophe_after(tokens, i):  # "C'è"
            return False
        upper = tok.text.isupper()
        if prev in _METRO:  # "metro c" yes, but "metro a Ottaviano" is a preposition
            nxt_tok = tokens[i + 1] if i + 1 < len(tokens) else None
            return upper or tok.text != "a" or nxt_tok is None or not nxt_tok.text[0].isalnum()
        if prev in _LINE_WORD and (upper or tok.text != "a"):  # "linea c", not "linea a singhiozzo"
            return True
        nxt = _next_word(tokens, i)
        if upper and nxt in ("line", "linea"):
            return True
        if upper and prev in _FEMININE:
            return True
        opening = upper and _opens_message(tokens, i)  # "B per Laurentina ok?", "A per Anagnina?", not "A Termini"
        if opening and (nxt in _AFTER_LETTER_A if tok.text == "A" else nxt not in (".", None)):
            return True
        if upper and nxt in _LIST_JOIN and _upper_letter_after(tokens, i + 1, self.metro):  # "A e B regolari?"
            return True
        if upper and prev in _LIST_JOIN:  # "metro A e B"
            j = _prev_index(tokens, i)
            k = _prev_index(tokens, j) if j is not None else None
            return k is not None and tokens[k].text.upper() in self.metro and self._metro_letter_cued(
                tokens, k, _prev_word(tokens, k))
        return False

    def _number_is_line(self, tokens: list[Token], i: int, verdicts: dict[int, bool], not_lines: set[str]) -> bool:
        tok = tokens[i]
        if _attached_non_line(tokens, i):
            return False
        j = _skip_number_word(tokens, _prev_index(tokens, i))
        prev = tokens[j].low if j is not None else None
        if prev == "#":
            return True
        if prev in _VEHICLE or (prev in _METRO):
            return True
        if _adjacent_number(tokens, i):
            return False
        nxt = _next_word(tokens, i)
        if nxt in ("bus", "tram", "autobus", "night", "notturno", "line", "linea") and (
                prev in _ARTICLE or len(tok.text) >= 2):
            return True
        unit = nxt in _UNIT_AFTER and not _apostrophe_after(tokens, i + 1)  # "64 m'ha" is an elision, not metres
        if unit or (nxt in _MONTHS and int(tok.text) <= 31) or _symbol_after(tokens, i):  # "the 63 set to" not Sept.
            return False
        if nxt in ("de", "di", "of") and i + 2 < len(tokens) and tokens[i + 2].low in _UNIT_AFTER:  # "30 de minute"
            return False
        if _is_age(tokens, i, prev) or _signature_age(tokens, i):
            return False
        if prev in _WEEKDAYS or (prev in _MONTHS and int(tok.text) <= 31):
            return False
        if prev is not None and prev in _STREET or _after_street_name(tokens, i):
            return False
        if prev in _ARTICLE or (prev == "le" and int(tok.text) > 24):  # French "dans le 64"; Italian "le 7" a time
            return j is None or _prev_word(tokens, j) not in _CALL  # "chiamato il 118" is a telephone number
        if prev in _NOT_LINE_BEFORE or prev in ("€", "$", "£"):
            return False
        if prev in _LIST_JOIN and j is not None:
            k = _prev_index(tokens, j)
            if k is not None and k in verdicts:
                return verdicts[k]
        if tok.text in not_lines:
            return False
        if prev is not None and prev not in _PUNCT_BREAK and prev not in _LIST_JOIN and not prev.isalpha():
            return False
        words = [t for t in tokens if t.text[0].isalnum()]
        return len(tok.text) >= 2 or len(words) == 1


# ---- token helpers ---------------------------------------------------------------------------------
def _prev_index(tokens: list[Token], i: int) -> int | None:
    """Index of the previous token that is not an apostrophe (so "dell'8" reads as dell + 8)."""
    j = i - 1
    while j >= 0 and tokens[j].text in _APOSTROPHES:
        j -= 1
    return j if j >= 0 else None


def _skip_number_word(tokens: list[Token], j: int | None) -> int | None:
    """Step back over "n.", "no.", "numero", "number" between a cue and a number."""
    if j is not None and tokens[j].text in ".°º" and j > 0 and tokens[j - 1].low in _NUMBER_WORD:
        j -= 1
    while j is not None and tokens[j].low in _NUMBER_WORD:
        j = _prev_index(tokens, j)
    return j


def _prev_word(tokens: list[Token], i: int) -> str | None:
    j = _prev_index(tokens, i)
    return tokens[j].low if j is not None else None


def _next_word(tokens: list[Token], i: int) -> str | None:
    j = i + 1
    return tokens[j].low if j < len(tokens) else None


def _apostrophe_after(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text in _APOSTROPHES and tokens[i + 1].start == tokens[i].end


def _is_hashtag(tokens: list[Token], i: int) -> bool:
    return (i > 0 and tokens[i - 1].text == "#" and tokens[i - 1].end == tokens[i].start
            and not tokens[i].is_number)


def _inside_tag(tokens: list[Token], i: int) -> bool:
    """A word touching a hyphen or bracket on both sides, as in a station tag "(MA-MB-FS)"."""
    before = i > 0 and tokens[i - 1].end == tokens[i].start and tokens[i - 1].text in "-(/"
    after = i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end and tokens[i + 1].text in "-)/"
    return before or after


def _touching(tokens: list[Token], a: int, b: int) -> bool:
    return 0 <= a < len(tokens) and 0 <= b < len(tokens) and tokens[a].end == tokens[b].start


def _attached_non_line(tokens: list[Token], i: int) -> bool:
    """Times, decimals, dates, money and percentages written without spaces: 8:15, 1,50, 5/12, €2, 50%."""
    sep = ":.,/-"
    if (_touching(tokens, i, i + 1) and tokens[i + 1].text in sep and _touching(tokens, i + 1, i + 2)
            and tokens[i + 2].is_number):
        return True
    if (_touching(tokens, i - 1, i) and i >= 2 and tokens[i - 1].text in sep and _touching(tokens, i - 2, i - 1)
            and tokens[i - 2].is_number):
        return True
    if _touching(tokens, i - 1, i) and tokens[i - 1].text in "€$£+":
        return True
    if (_touching(tokens, i, i + 1) and tokens[i + 1].text == "-" and _touching(tokens, i + 1, i + 2)
            and tokens[i + 2].low in _UNIT_AFTER - _VEHICLE):  # "80-year-old", "30-minute", "72-Stunden"
        return True
    if _touching(tokens, i, i + 1) and tokens[i + 1].text in "%°ºª€$'’":
        # "20'" is minutes; "l'8" has its apostrophe before the number, not after
        return not (tokens[i + 1].text in _APOSTROPHES and _touching(tokens, i + 1, i + 2)
                    and tokens[i + 2].text[0].isalpha())
    return False


def _symbol_after(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text in ("%", "€", "$", "£", "°", "'", "’", "x", "×", "+")


def _is_age(tokens: list[Token], i: int, prev: str | None) -> bool:
    """"my dad is 85", "I'm 23", "mein Vater ist 90": a person, a copula, a number."""
    if prev not in _COPULA:
        return False
    j = _prev_index(tokens, i)
    for _ in range(3):
        j = _prev_index(tokens, j) if j is not None else None
        if j is not None and tokens[j].low in _PERSON:
            return True
    return False


def _signature_age(tokens: list[Token], i: int) -> bool:
    """"Grazie, Pietro (81)": a number in brackets after a name, closing the message."""
    if not (_touching(tokens, i - 1, i) and tokens[i - 1].text == "(" and _touching(tokens, i, i + 1)
            and tokens[i + 1].text == ")" and i >= 2 and tokens[i - 2].text[:1].isupper()):
        return False
    return all(not t.text[0].isalnum() for t in tokens[i + 2:])


def _opens_message(tokens: list[Token], i: int) -> bool:
    """The first word of the message, after any @mentions."""
    j = 0
    while j < i and tokens[j].text == "@" and j + 1 < i:
        j += 2
    return j == i


def _elided(tokens: list[Token], i: int) -> bool:
    """After an elided article: "l'h", "dell'h"."""
    return (i >= 2 and tokens[i - 1].text in _APOSTROPHES and _touching(tokens, i - 1, i)
            and tokens[i - 2].low in _ARTICLE)


def _upper_letter_after(tokens: list[Token], i: int, letters: dict[str, str]) -> bool:
    """The word after index i is an upper-case metro letter: "A e B"."""
    return i + 1 < len(tokens) and tokens[i + 1].text in letters


def _adjacent_number(tokens: list[Token], i: int) -> bool:
    """Part of a run of numbers separated by single spaces: phone numbers, codes."""
    return ((i + 1 < len(tokens) and tokens[i + 1].is_number and tokens[i + 1].start - tokens[i].end == 1)
            or (i > 0 and tokens[i - 1].is_number and tokens[i].start - tokens[i - 1].end == 1))


def _after_street_name(tokens: list[Token], i: int) -> bool:
    """"via Nazionale 40", "viale Trastevere, 12": a capitalised name right after a street word."""
    j = _prev_index(tokens, i)
    if j is not None and tokens[j].text == ",":
        j = _prev_index(tokens, j)
    steps = 0
    while j is not None and steps < 4 and tokens[j].text[:1].isalpha():
        if tokens[j].low in _STREET:
            return steps > 0
        if not (tokens[j].text[0].isupper() or tokens[j].low in ("di", "del", "della", "dei", "degli", "delle")):
            return False
        j = _prev_index(tokens, j)
        steps += 1
    return False


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6


_FINDERS: WeakKeyDictionary[GtfsIndex, RouteFinder] = WeakKeyDictionary()


def route_finder(index: GtfsIndex) -> RouteFinder:
    """The (memoised) RouteFinder of a feed."""
    finder = _FINDERS.get(index)
    if finder is None:
        finder = _FINDERS[index] = RouteFinder(index)
    return finder


def find_routes(index: GtfsIndex, text: str) -> list[str]:
    """Route ids mentioned in `text`, in order of first mention, deduplicated."""
    return route_finder(index).find(text)
