"""Finding the lines and stops a citizen's message names, telling line numbers from other numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from knowledge.gtfs import GtfsIndex

# Words that announce a line. Each set is small vocabulary (Italian and English), not a list of lines.
_VEHICLE = frozenset({
    "bus", "autobus", "bussino", "tram", "linea", "linee", "line", "lines", "route", "routes", "navetta",
    "navette", "shuttle", "sostitutivo", "sostitutiva", "sostitutivi", "notturno", "notturna", "filobus",
    "trolleybus",
})
_METRO = frozenset({"metro", "metropolitana", "metrò", "subway", "underground"})
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
    "mesate", "rate", "punti", "points", "gr", "cm", "mm", "ml",
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
    """Words, numbers and single symbols (apostrophes, punctuation, €, %, #) with their spans."""
    return [Token(m.group(), m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


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
        if tok.is_number:
            route_id = self.exact.get(tok.text)
            if route_id is None:
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
        if letter in self.metro and self._metro_letter_cued(tokens, i, prev):
            return self.metro[letter]
        if tok.text in self.metro_codes and (not shouting or prev in _METRO | _FEMININE):
            return self.metro_codes[tok.text]
        if tok.text in self.exact and tok.text.isalpha():  # "MC", "RMG", "MEA"
            if not shouting or prev in _VEHICLE | _ARTICLE:
                return self.exact[tok.text]
        if tok.text in self.letters and (prev in _VEHICLE | _ARTICLE | _FEMININE) and not _apostrophe_after(tokens, i):
            return self.letters[tok.text]
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
        if prev in ("linea", "line", "lines", "linee") and upper:
            return True
        nxt = _next_word(tokens, i)
        if upper and nxt in ("line", "linea"):
            return True
        if upper and prev in _FEMININE:
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
        if nxt in _UNIT_AFTER or nxt in _MONTHS or _symbol_after(tokens, i):
            return False
        if prev in _WEEKDAYS or prev in _MONTHS:
            return False
        if prev is not None and prev in _STREET or _after_street_name(tokens, i):
            return False
        if prev in _ARTICLE:
            return True
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
    if _touching(tokens, i, i + 1) and tokens[i + 1].text in "%°ºª€$'’":
        # "20'" is minutes; "l'8" has its apostrophe before the number, not after
        return not (tokens[i + 1].text in _APOSTROPHES and _touching(tokens, i + 1, i + 2)
                    and tokens[i + 2].text[0].isalpha())
    return False


def _symbol_after(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text in ("%", "€", "$", "£", "°", "'", "’", "x", "×")


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


# ---- stops --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StopMention:
    """A stop named in a message: the stops.txt name, every stop_id sharing it, and how sure we are."""

    name: str
    stop_ids: tuple[str, ...]
    score: float


# Abbreviations used in stop names and by citizens, expanded before matching.
_ABBREVIATIONS = {
    "p.za": "piazza", "p.zza": "piazza", "pza": "piazza", "pzza": "piazza", "p.le": "piazzale", "ple": "piazzale",
    "l.go": "largo", "lgo": "largo", "staz.ne": "stazione", "staz": "stazione", "stz": "stazione",
    "v.le": "viale", "c.so": "corso", "c.ne": "circonvallazione", "s": "san", "ss": "santi", "st": "san",
    "s.s": "santi", "p": "piazza",
}
# Leading words naming the kind of place; a stop is also known by what follows them.
_PLACE_PREFIX = ("stazione metro", "stazione", "piazzale", "piazza", "largo", "metro")
_STREETLIKE = frozenset({"via", "viale", "corso", "vicolo", "lungotevere", "circonvallazione", "salita", "clivo"})
_CONNECTORS = frozenset({"di", "del", "della", "dei", "degli", "delle", "d", "dello"})
# Words before or after a name that say a place is meant: prepositions of place and stop words.
_PLACE_BEFORE = frozenset({
    "a", "ad", "al", "alla", "allo", "da", "dal", "dalla", "dallo", "di", "verso", "fino", "per", "at", "from",
    "to", "near", "towards", "toward", "between", "tra", "fra", "presso", "vicino",
})
_STOP_WORDS_BEFORE = frozenset({
    "stazione", "station", "fermata", "stop", "metro", "metropolitana", "piazza", "piazzale", "largo",
    "palina",
})
_STOP_WORDS_AFTER = frozenset({"station", "stazione", "metro", "stop", "fermata", "stn", "underground"})
_DIRECTION = frozenset({"direzione", "direction", "dir", "bound", "capolinea"})
_ARTICLES_ONLY = frozenset({"il", "lo", "la", "i", "gli", "le", "er", "the", "un", "una", "uno"})
_STOP_CODE_CUE = frozenset({"fermata", "stop", "palina", "paline", "codice", "code"})
# Names of stops that are also everyday words: they need a place word right before them.
_COMMON_PLACE_WORDS = frozenset({
    "roma", "stazione", "centro", "ospedale", "chiesa", "stadio", "scuola", "mercato", "cimitero", "ponte",
    "porta", "torre", "villa", "parco", "capolinea", "deposito", "italia", "europa", "universita", "museo",
    "policlinico", "aeroporto", "piazza", "largo", "metro", "terminal", "posta", "comune", "municipio",
})
_METRO_TAG = re.compile(r"\bM[A-E]\d?\b|\bME\b", re.IGNORECASE)
_TAG = re.compile(r"\(([^)]*)\)")


def normalize(text: str) -> list[str]:
    """Lower-case, accent-free word tokens with abbreviations expanded ("P.ZA" -> "piazza")."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+(?:\.[a-z]+)*\.?|[a-z0-9]+", re.sub(r"[’'`´]", " ", folded))
    out = []
    for w in words:
        key = w.rstrip(".")
        out.extend(_ABBREVIATIONS.get(w, _ABBREVIATIONS.get(key, key.replace(".", " "))).split())
    return out


@dataclass(slots=True)
class _Candidate:
    name: str
    n_ids: int
    metro_tagged: bool
    whole: bool
    prefixed: bool
    upper: bool

    def rank(self) -> tuple[bool | int, ...]:
        m = self.metro_tagged
        return (m, m and self.whole and not self.prefixed, m and self.whole, self.upper, self.n_ids,
                self.whole, -len(self.name))


@dataclass(frozen=True, slots=True)
class _Key:
    label: str
    stop_ids: tuple[str, ...]
    metro: bool
    bare_ok: bool


class StopFinder:
    """A normalised name index of one feed's stops, built once, matched per message in microseconds."""

    def __init__(self, index: GtfsIndex) -> None:
        self.index = index
        groups: dict[str, list[_Candidate]] = {}
        station_cores: set[str] = set()
        names: dict[str, str] = {}
        for stop in index.stops.values():
            names.setdefault(stop.name.casefold(), stop.name)
            if stop.location_type == 1:
                station_cores.add(" ".join(self._core(normalize(_TAG.sub(" ", stop.name)))[0]))
        for name in names.values():
            n_ids = len(index.stops_named(name))
            for key, whole, prefixed, tagged in self._keys(name):
                groups.setdefault(key, []).append(_Candidate(name, n_ids, tagged, whole, prefixed, name.isupper()))
        self.keys: dict[str, _Key] = {}
        for key, cands in groups.items():
            if len(key) < 3 or key.isdigit():
                continue
            best = max(cands, key=_Candidate.rank)
            metro = any(c.metro_tagged and c.whole for c in cands) or key in station_cores
            bare_ok = metro or any(c.whole and not c.prefixed for c in cands)
            self.keys[key] = _Key(best.name, tuple(s.stop_id for s in index.stops_named(best.name)), metro, bare_ok)
        self.span: dict[str, int] = {}  # first word of a key -> most words in a key starting with it
        for k in self.keys:
            first, n = k.split(" ", 1)[0], k.count(" ") + 1
            self.span[first] = max(self.span.get(first, 0), n)
        self.metro_keys = [k for k, v in self.keys.items() if v.metro]

    @staticmethod
    def _core(words: list[str]) -> tuple[list[str], bool]:
        for prefix in _PLACE_PREFIX:
            p = prefix.split()
            if words[:len(p)] == p and len(words) > len(p):
                rest = words[len(p):]
                while len(rest) > 1 and rest[0] in _CONNECTORS:
                    rest = rest[1:]
                return rest, True
        return words, False

    def _keys(self, name: str) -> list[tuple[str, bool, bool, bool]]:
        """(key, is whole name, had a place prefix, metro-tagged) for a stop name and its parts."""
        tagged = any(_METRO_TAG.search(t) for t in _TAG.findall(name))
        parts = [p for p in re.split(r"/|\s-\s|(?<=[A-Za-z])-(?=[A-Za-z])", _TAG.sub(" ", name)) if p.strip()]
        out = []
        for pos, part in enumerate(parts):
            words = normalize(part)
            if not words or words[0] in _STREETLIKE:
                continue
            whole = len(parts) == 1
            core, prefixed = self._core(words)
            out.append((" ".join(core), whole, prefixed, tagged))
            if prefixed:
                out.append((" ".join(words), whole, False, tagged))
        return out

    def find(self, text: str) -> list[StopMention]:
        """Stops named in `text` by name or by stop code, in order, one mention per stop name."""
        raw = tokenize(text)
        words = [(w, tok) for tok in raw if tok.text[0].isalnum() for w in normalize(tok.text)]
        found: dict[str, tuple[int, StopMention]] = {}
        self._codes(raw, found)
        shouting = _shouting(text)
        i = 0
        while i < len(words):
            hit = self._longest(words, i) or self._fuzzy(words, i)
            if hit is None:
                i += 1
                continue
            key, n, similarity = hit
            score = self._evidence(words, i, n, self.keys[key], shouting, fuzzy=similarity < 1) * similarity
            if score <= 0:
                i += 1
                continue
            k = self.keys[key]
            if k.label not in found:
                found[k.label] = (words[i][1].start, StopMention(k.label, k.stop_ids, round(score, 3)))
            i += n
        return [m for _, m in sorted(found.values(), key=lambda pm: pm[0])]

    def _longest(self, words: list[tuple[str, Token]], i: int) -> tuple[str, int, float] | None:
        for n in range(min(self.span.get(words[i][0], 0), len(words) - i), 0, -1):
            key = " ".join(w for w, _ in words[i:i + n])
            if key in self.keys:
                return key, n, 1.0
        return None

    def _fuzzy(self, words: list[tuple[str, Token]], i: int) -> tuple[str, int, float] | None:
        """A misspelt metro station ("Ottavinao") right after a place word or preposition."""
        prev = words[i - 1][0] if i > 0 else None
        if prev not in _PLACE_BEFORE and prev not in _STOP_WORDS_BEFORE:
            return None
        for n in (2, 1):
            if i + n > len(words):
                continue
            phrase = " ".join(w for w, _ in words[i:i + n])
            if len(phrase) < 6 or phrase in self.keys:
                continue
            best = process.extractOne(phrase, self.metro_keys, scorer=fuzz.ratio, score_cutoff=86)
            if best is not None:
                return best[0], n, best[1] / 100
        return None

    def _evidence(self, words: list[tuple[str, Token]], i: int, n: int, key: _Key, shouting: bool,
                  fuzzy: bool = False) -> float:
        """0 when a match is not good evidence of a stop, else a confidence in (0, 1]."""
        first_tok = words[i][1]
        prev = words[i - 1][0] if i > 0 else None
        nxt = words[i + n][0] if i + n < len(words) else None
        keytext = " ".join(w for w, _ in words[i:i + n])
        if prev in _DIRECTION or prev in _STREETLIKE or nxt in ("direction", "bound"):
            return 0.0
        if prev in _STOP_WORDS_BEFORE or nxt in _STOP_WORDS_AFTER:
            return 1.0
        if not key.bare_ok or keytext in _COMMON_PLACE_WORDS:
            return 0.0
        if n >= 2:
            return 0.9
        capitalised = first_tok.text[:1].isupper() and not fuzzy
        if prev in _ARTICLES_ONLY:
            return 0.0
        if key.metro:
            if prev in _PLACE_BEFORE or prev in _LIST_JOIN:
                return 0.85
            return 0.7 if capitalised else 0.0
        if capitalised and prev in _PLACE_BEFORE:
            return 0.7
        return 0.0

    def _codes(self, raw: list[Token], found: dict[str, tuple[int, StopMention]]) -> None:
        """Stop codes after a cue: "fermata 70340", "stop n. 70340", "palina 70340"."""
        for i, tok in enumerate(raw):
            if not tok.is_number or len(tok.text) < 4:
                continue
            j = _skip_number_word(raw, _prev_index(raw, i))
            if j is not None and raw[j].text in ":#":
                j = _prev_index(raw, j)
            if j is None or raw[j].low not in _STOP_CODE_CUE:
                continue
            stop = self.index.stop_by_code(tok.text)
            if stop is not None and stop.name not in found:
                ids = tuple(s.stop_id for s in self.index.stops_named(stop.name))
                found[stop.name] = (tok.start, StopMention(stop.name, ids, 1.0))


_STOP_FINDERS: WeakKeyDictionary[GtfsIndex, StopFinder] = WeakKeyDictionary()


def stop_finder(index: GtfsIndex) -> StopFinder:
    """The (memoised) StopFinder of a feed; building it takes a few tens of milliseconds."""
    finder = _STOP_FINDERS.get(index)
    if finder is None:
        finder = _STOP_FINDERS[index] = StopFinder(index)
    return finder


def find_stops(index: GtfsIndex, text: str) -> list[StopMention]:
    """Stops named in `text` (fuzzy names, stop codes after "fermata"/"stop"), in order, deduplicated."""
    return stop_finder(index).find(text)
