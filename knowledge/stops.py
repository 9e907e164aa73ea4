"""Finding the stops a citizen's message names: fuzzy stop names and stop codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary

from rapidfuzz import fuzz, process

from knowledge.gtfs import GtfsIndex
from knowledge.line_words import WORDS
from knowledge.lines import (  # the tokenizer and its helpers are shared with line finding
    Token,
    _prev_index,
    _skip_number_word,
    read_tokens,
)
from knowledge.stop_words import WORDS as STOP_WORDS
from knowledge.written import WrittenNames, fold, mostly_other_script

@dataclass(frozen=True, slots=True)
class StopMention:
    """A stop named in a message: the stops.txt name, every stop_id sharing it, and how sure we are."""

    name: str
    stop_ids: tuple[str, ...]
    score: float


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
        out.extend(STOP_WORDS.abbreviations.get(w, STOP_WORDS.abbreviations.get(key, key.replace(".", " "))).split())
    return out


@lru_cache(maxsize=65536)
def _normalized_word(word: str) -> tuple[str, ...]:
    """:func:`normalize` of one token of a message (words repeat across messages: each is read once)."""
    return tuple(normalize(word))


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

    def plain_rank(self) -> tuple[bool | int, ...]:
        """Rank among the names without a metro tag: the street stop a bus or tram line serves."""
        return (self.whole and not self.prefixed, self.whole, self.upper, self.n_ids, -len(self.name))


@dataclass(frozen=True, slots=True)
class _Key:
    label: str
    stop_ids: tuple[str, ...]
    metro: bool
    bare_ok: bool
    plain: tuple[str, tuple[str, ...]] | None = None  # the untagged stop of the same name, if any
    translated: bool = False  # a name in another language (translations.txt): it needs a word about getting around


#: punctuation that ends a phrase: a stop word on its other side says nothing of a name («ho capito bene, metro B?»)
_PHRASE_END = re.compile(r"[,;.!?()\[\]]")


@dataclass(slots=True)
class _Context:
    """What the stop finder knows of the whole message while it weighs one name in it."""

    text: str
    shouting: bool
    other_script: bool
    transit_words: WrittenNames
    _folded: str | None = None
    _transit: bool | None = None

    def folded(self) -> str:
        """The message as :func:`~knowledge.written.fold` leaves it (folded once, when first asked)."""
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded

    def about_getting_around(self) -> bool:
        """Whether the message holds a word of ``transit_words`` (a station, a stop, a vehicle, a line, a lift)."""
        if self._transit is None:
            self._transit = bool(self.transit_words.find(self.folded()))
        return self._transit

    def joined(self, left: Token, right: Token) -> bool:
        """Whether no punctuation ends the phrase between two tokens (the same token: joined)."""
        return left.end >= right.start or not _PHRASE_END.search(self.text, left.end, right.start)


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
            plain = None
            untagged = [c for c in cands if not c.metro_tagged and c.whole and c.upper]
            if best.metro_tagged and untagged:
                street = max(untagged, key=_Candidate.plain_rank).name
                plain = (street, tuple(s.stop_id for s in index.stops_named(street)))
            self.keys[key] = _Key(
                best.name, tuple(s.stop_id for s in index.stops_named(best.name)), metro, bare_ok, plain
            )
        self._add_translations(index)
        self.span: dict[str, int] = {}  # first word of a key -> most words in a key starting with it
        for k in self.keys:
            first, n = k.split(" ", 1)[0], k.count(" ") + 1
            self.span[first] = max(self.span.get(first, 0), n)
        self.metro_keys = [k for k, v in self.keys.items() if v.metro]
        #: the metro lines' letters, as normalised words ("a", "b1"): «metro C Pigneto» names Pigneto
        self.metro_letters = frozenset(w for r in index.routes.values() if r.kind == "metro"
                                       for w in normalize(r.display_name) if len(w) <= 2)

    def _add_translations(self, index: GtfsIndex) -> None:
        """The feed's stop names in other languages (translations.txt): one in Latin letters ("Colisée", "Spanish
        Steps") becomes a key of its own, read like a station's name; one in another script ("テルミニ",
        "Колизей") is looked for in a message as written (see :class:`~knowledge.written.WrittenNames`)."""
        written: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, translations in index.stop_translations().items():
            ids = tuple(s.stop_id for s in index.stops_named(name))
            metro = is_metro_station(index, name)
            for translation in translations:
                if mostly_other_script(translation):
                    written.setdefault(fold(translation), (name, ids))
                    continue
                key = " ".join(normalize(translation))
                if len(key) >= 3 and key not in self.keys:
                    self.keys[key] = _Key(name, ids, metro, True, translated=True)
        self.script_names = WrittenNames(written, stems=True, hangul_anywhere=False)
        self.transit_words = WrittenNames({fold(w): ("", ()) for w in STOP_WORDS.transit_words}, stems=False,
                                      hangul_anywhere=True)

    @staticmethod
    def _core(words: list[str]) -> tuple[list[str], bool]:
        for prefix in STOP_WORDS.place_prefix:
            p = prefix.split()
            if words[:len(p)] == p and len(words) > len(p):
                rest = words[len(p):]
                while len(rest) > 1 and rest[0] in STOP_WORDS.connectors:
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
            if not words or words[0] in STOP_WORDS.streetlike:
                continue
            whole = len(parts) == 1
            core, prefixed = self._core(words)
            out.append((" ".join(core), whole, prefixed, tagged))
            if prefixed:
                out.append((" ".join(words), whole, False, tagged))
        return out

    def find(self, text: str, *, street: bool = False) -> list[StopMention]:
        """Stops named in `text` by name or by stop code, in order, one mention per stop name.

        ``street``: the message is about a bus or tram line and not the metro, so a name shared by a
        metro station and a street stop ("Colosseo") means the street stop.
        """
        raw, shouting = read_tokens(text)
        words = [(w, tok) for tok in raw if tok.text[0].isalnum() for w in _normalized_word(tok.text)]
        context = _Context(text, shouting, mostly_other_script(text), self.transit_words)
        found: dict[str, tuple[int, StopMention]] = {}
        self._codes(raw, found)
        if not text.isascii() and self.script_names.pattern is not None:
            named = self.script_names.find(context.folded())
            if named and context.about_getting_around():
                for start, (name, ids) in named:
                    found.setdefault(name, (start, StopMention(name, ids, 0.9)))
        i = 0
        while i < len(words):
            hit = self._longest(words, i) or self._fuzzy(words, i)
            if hit is None:
                i += 1
                continue
            key, n, similarity = hit
            score = self._evidence(words, i, n, self.keys[key], context, fuzzy=similarity < 1) * similarity
            if score <= 0:
                i += 1
                continue
            k = self.keys[key]
            label, ids = k.plain if street and k.plain else (k.label, k.stop_ids)
            if label not in found:
                found[label] = (words[i][1].start, StopMention(label, ids, round(score, 3)))
            i += n
        return [m for _, m in sorted(found.values(), key=lambda pm: pm[0])]

    def _longest(self, words: list[tuple[str, Token]], i: int) -> tuple[str, int, float] | None:
        for n in range(min(self.span.get(words[i][0], 0), len(words) - i), 0, -1):
            key = " ".join(w for w, _ in words[i:i + n])
            if key in self.keys:
                return key, n, 1.0
        return None

    def _fuzzy(self, words: list[tuple[str, Token]], i: int) -> tuple[str, int, float] | None:
        """A misspelt metro station ("Ottavinao") right after a place word or preposition. Its first letter is
        right: "al ginocchio" is a knee, not Finocchio."""
        prev = words[i - 1][0] if i > 0 else None
        if prev not in STOP_WORDS.place_before and prev not in STOP_WORDS.stop_words_before:
            return None
        for n in (2, 1):
            if i + n > len(words):
                continue
            phrase = " ".join(w for w, _ in words[i:i + n])
            if len(phrase) < 6 or phrase in self.keys:
                continue
            best = process.extractOne(phrase, self.metro_keys, scorer=fuzz.ratio, score_cutoff=86)
            if best is not None and best[0][0] == phrase[0]:
                return best[0], n, best[1] / 100
        return None

    def _evidence(self, words: list[tuple[str, Token]], i: int, n: int, key: _Key, context: _Context,
                  fuzzy: bool = False) -> float:
        """0 when a match is not good evidence of a stop, else a confidence in (0, 1]."""
        first_tok = words[i][1]
        prev = words[i - 1][0] if i > 0 else None
        nxt = words[i + n][0] if i + n < len(words) else None
        keytext = " ".join(w for w, _ in words[i:i + n])
        named = first_tok.text[:1].isupper() and not fuzzy and not context.shouting  # capitalised, not shouted
        if n == 1 and (keytext in STOP_WORDS.station_state or (keytext in STOP_WORDS.everyday_words and not named)):
            return 0.0  # «stazione Termini metro chiusi», «alla mia fermata manca il marciapiede»
        if prev in STOP_WORDS.direction or prev in STOP_WORDS.streetlike or nxt in ("direction", "bound"):
            return 0.0
        cue_before = prev in STOP_WORDS.stop_words_before and context.joined(words[i - 1][1], first_tok)
        if prev in self.metro_letters and i > 1 and words[i - 2][0] in STOP_WORDS.stop_words_before:
            cue_before = context.joined(words[i - 2][1], first_tok)  # «metro C Pigneto», «ascensore metro b colosseo»
        if cue_before or (nxt in STOP_WORDS.stop_words_after and context.joined(words[i + n - 1][1], words[i + n][1])):
            return 1.0
        if n == 1 and keytext in STOP_WORDS.country_names and prev in STOP_WORDS.country_before:
            return 0.0  # «vengo dalla Spagna», «dall'America»: the country
        if not key.bare_ok or keytext in STOP_WORDS.common_place_words:
            return 0.0
        if key.translated and not context.about_getting_around():
            return 0.0  # «Is the Colosseum open on Monday?» is about the monument
        if n >= 2:
            return 0.9
        if context.other_script:  # a Latin name in a message in another script: «今天Ottaviano站开吗？»
            return 0.85 if key.metro else 0.7
        capitalised = first_tok.text[:1].isupper() and not fuzzy
        if prev in STOP_WORDS.articles_only and not (key.metro and capitalised and prev == "the"):
            return 0.0
        if key.metro:
            if prev in STOP_WORDS.place_before or prev in WORDS.list_join or nxt in STOP_WORDS.station_state:
                return 0.85  # "a ottaviano", "con ottaviano chiusa", "lepanto riaperta?"
            if i == 0 and nxt is not None:  # a station opening the message: "lepanto chiusa?"
                return 0.7
            return 0.7 if capitalised else 0.0
        if capitalised and prev in STOP_WORDS.place_before:
            return 0.7
        if prev in STOP_WORDS.place_before and not fuzzy and context.about_getting_around():
            return 0.6  # a name in lower case, in a message about getting around: «il tram 8 va fino a casaletto»
        return 0.0

    def _codes(self, raw: Sequence[Token], found: dict[str, tuple[int, StopMention]]) -> None:
        """Stop codes after a cue: "fermata 70340", "stop n. 70340", "palina 70340"."""
        for i, tok in enumerate(raw):
            if not tok.is_number or len(tok.text) < 4:
                continue
            j = _skip_number_word(raw, _prev_index(raw, i))
            if j is not None and raw[j].text in ":#":
                j = _prev_index(raw, j)
            if j is None or raw[j].low not in STOP_WORDS.stop_code_cue:
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


def is_metro_station(index: GtfsIndex, name: str) -> bool:
    """Whether the stops named ``name`` (as in stops.txt) are a metro station: tagged so (``BOLOGNA (MB)``) or a
    station (location_type 1)."""
    return any(_METRO_TAG.search(tag) for tag in _TAG.findall(name)) or any(
        stop.location_type == 1 for stop in index.stops_named(name))


def find_stops(index: GtfsIndex, text: str, *, street: bool = False) -> list[StopMention]:
    """Stops named in `text` (fuzzy names, stop codes after "fermata"/"stop"), in order, deduplicated.

    ``street``: prefer the street stop to the metro station of the same name (see `StopFinder.find`).
    """
    return stop_finder(index).find(text, street=street)
