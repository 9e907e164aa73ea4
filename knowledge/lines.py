"""Finding the lines a citizen's message names, telling line numbers from other numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple
from weakref import WeakKeyDictionary

from knowledge.gtfs import GtfsIndex
from knowledge.line_words import WORDS
from knowledge.written import written_without_spaces

# The words are data (WORDS: knowledge/line_words.yaml, read once at import); patterns and symbols stay here.


def _either(words: tuple[str, ...]) -> str:
    """A pattern's alternatives: ``words`` in their order."""
    return "|".join(re.escape(w) for w in words)


# Lines inside Chinese, Japanese and Korean words, which have no spaces: "64路", "40番", "170번", "地铁B线", "A선".
_CJK_NUMBER = re.compile(rf"(\d+)(?:{_either(WORDS.cjk_number_after)})|(?:{_either(WORDS.cjk_number_before)})(\d+)")
_CJK_LETTER = re.compile(rf"([ABC]1?)(?:{_either(WORDS.cjk_letter_after)})|(?:{_either(WORDS.cjk_letter_before)})"
                         r"([ABC]1?)")
_CYRILLIC_LETTER = str.maketrans("АВС", "ABC")  # "метро А" typed on a Cyrillic keyboard
_GERMAN_LINE = re.compile(r"(\d+)er")
_PLURAL_LINE = re.compile(r"(\d+)s")
_PUNCT_BREAK = frozenset({".", "!", "?", ":", ";", "(", ")", "[", "]", "\"", "…", "|", "→"})
_APOSTROPHES = "'’`´"
#: combining marks of the scripts tourists write (Latin accents typed apart, Hebrew and Arabic vowel signs, the vowel
#: signs of Devanagari, Bengali and the other Indic scripts, Thai, Myanmar, Khmer, kana voicing): they belong to the
#: word they sit in («মেট্রো», «ट्राम», «รถเมล์» are one word each, not a letter and a mark)
_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0dff"
          "\u0e00-\u0eff\u1000-\u109f\u135d-\u135f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a"
          "\ufe20-\ufe2f")
_TOKEN = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*|\S")


class Token(NamedTuple):
    """A word, number or single symbol with its position in the text (a named tuple: a message makes a score of
    them, and a tuple is made in a third of a frozen dataclass's time)."""

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


@lru_cache(maxsize=4)
def read_tokens(text: str) -> tuple[tuple[Token, ...], bool]:
    """:func:`tokenize` of ``text`` and whether it shouts (mostly capitals): the route finder and the stop finder read
    the same message one after the other, and it is read once for both (the last few texts are kept)."""
    return tuple(tokenize(text)), _shouting(text)


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
        #: every name above in upper case: an ASCII word that is none of them names no line, unless glued to a cue
        #: or after a ``#`` (:meth:`_route_at` tries those first)
        self.names_upper: frozenset[str] = frozenset(
            name.upper() for names in (self.exact, self.folded, self.letters, self.metro, self.metro_codes)
            for name in names)

    def find(self, text: str) -> list[str]:
        """Route ids the text names, in order of first mention, without repeats."""
        tokens, shouting = read_tokens(text)
        found: list[str] = []
        verdicts: dict[int, bool] = {}
        not_lines: set[str] = set()
        for i, tok in enumerate(tokens):
            route_id = self._route_at(tokens, i, shouting, verdicts, not_lines)
            if route_id and route_id not in found:
                found.append(route_id)
        return found

    # ---- one token -----------------------------------------------------------------------------
    def _route_at(self, tokens: Sequence[Token], i: int, shouting: bool, verdicts: dict[int, bool],
                  not_lines: set[str]) -> str | None:
        tok = tokens[i]
        if _is_hashtag(tokens, i):
            return self._hashtag(tok.text)
        glued = self._glued_cue(tok.text)  # "tram8", "metroA" written without a space
        if glued:
            return glued
        if tok.text.isascii() and not tok.text[0].isdigit() and tok.text.upper() not in self.names_upper:
            return None  # no line's name in any case (most words): none of the tests below holds
        digit_first = tok.text[0].isdigit()  # both patterns below begin with a digit (isdigit: any \d and more)
        german = _GERMAN_LINE.fullmatch(tok.text) if digit_first else None  # "im 64er", not "die 40er Jahre"
        if german and _next_word(tokens, i) not in WORDS.decade_after:
            return self.exact.get(german.group(1))
        if not tok.text.isascii():
            cjk = self._cjk(tok.text)
            if cjk:
                return cjk
        elif i > 0 and not tokens[i - 1].text.isascii() and written_without_spaces(tokens[i - 1].text[-1]):
            cjk = self._cjk(tokens[i - 1].text + tok.text)  # «รถราง 8»: Thai runs its words together, not a line
            if cjk:
                return cjk
        plural = _PLURAL_LINE.fullmatch(tok.text) if digit_first else None  # "two 62s in a row", "three 40s go by"
        if plural and _prev_word(tokens, i) in WORDS.count_word:
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
        prev = _prev_word(tokens, i)
        if _inside_tag(tokens, i) and prev not in WORDS.metro:  # "(MA-MB-FS)" in a copied stop name, not "(metro B)"
            return None
        if _letter_pair(tokens, i):  # "our B&B near Ottaviano": a bed and breakfast, not metro B
            return None
        if tok.text in self.exact and not tok.text.isalpha():
            return self.exact[tok.text]
        if tok.low in self.folded:
            return self.folded[tok.low]
        letter = tok.text.upper()
        if prev in WORDS.metro and tok.text.isupper():
            letter = letter.translate(_CYRILLIC_LETTER)
        if letter in self.metro and self._metro_letter_cued(tokens, i, prev):
            return self.metro[letter]
        if len(letter) == 2 and letter in self.metro and prev not in WORDS.level:  # "B1": no cue
            return self.metro[letter]
        if tok.text in self.metro_codes and (not shouting or prev in WORDS.metro | WORDS.feminine):
            return self.metro_codes[tok.text]
        if tok.text in self.exact and tok.text.isalpha():  # "MC", "RMG", "MEA"
            if not shouting or prev in WORDS.vehicle | WORDS.article:
                return self.exact[tok.text]
        if tok.text in self.letters and not _apostrophe_after(tokens, i) and (
                prev in WORDS.vehicle | WORDS.article | WORDS.feminine | WORDS.letter_article
                or _next_word(tokens, i) in WORDS.letter_next or _opens_message(tokens, i)):  # "H bus", "H regolare?"
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
        if not low.startswith(WORDS.glued_cue):  # no cue begins the word (most words): none of the tests below holds
            return None
        for cue in WORDS.glued_cue:
            rest = word[len(cue):]
            if low.startswith(cue) and rest and (rest.isdigit() or (rest.isupper() and cue in WORDS.glued_letter_cue)):
                return self._hashtag(word)
        return None

    def _hashtag(self, word: str) -> str | None:
        low = word.lower()
        for cue in sorted(WORDS.vehicle | WORDS.metro, key=len, reverse=True):
            if low.startswith(cue) and len(low) > len(cue):
                rest = word[len(cue):]
                if rest.upper() in self.metro and cue in WORDS.metro | WORDS.hashtag_letter_cue:
                    return self.metro[rest.upper()]
                return self.exact.get(rest) or self.folded.get(rest.lower()) or self.letters.get(rest)  # "#lineaH"
        return self.exact.get(word) or self.folded.get(low)

    def _metro_letter_cued(self, tokens: Sequence[Token], i: int, prev: str | None) -> bool:
        tok = tokens[i]
        upper = tok.text.isupper()
        if _apostrophe_after(tokens, i) and not (upper and prev in WORDS.metro and _suffix_after(tokens, i + 1)):
            return False  # "C'è", but "Metro A'da" (Turkish: on metro A)
        if prev in WORDS.metro:  # "metro c" yes, but "metro a Ottaviano" is a preposition
            nxt_tok = tokens[i + 1] if i + 1 < len(tokens) else None
            return (upper or tok.text != "a" or nxt_tok is None or not nxt_tok.text[0].isalnum()
                    or nxt_tok.low in WORDS.metro_a_next  # "metro a va?": the line, asked how it runs
                    or nxt_tok.low in WORDS.metro)  # "metro a metro b metro c come stanno?": a list of lines
        if prev in WORDS.line_word and (upper or tok.text != "a"):  # "linea c", not "linea a singhiozzo"
            return True
        nxt = _next_word(tokens, i)
        if upper and nxt in WORDS.metro_letter_next:
            return True
        if upper and prev in WORDS.feminine:
            return True
        if (tok.text in WORDS.lower_metro_letter and prev in WORDS.feminine_italian  # "la b1 e la b"
                and not _abbreviated(tokens, i)):  # not "alla c.a." (cortese attenzione)
            return True
        opening = upper and _opens_message(tokens, i)  # "B per Laurentina ok?", "A per Anagnina?", not "A Termini"
        if opening and (nxt in WORDS.after_letter_a if tok.text == "A" else nxt not in (".", None)):
            return True
        if upper and nxt in WORDS.list_join and _upper_letter_after(tokens, i + 1, self.metro):  # "A e B regolari?"
            return True
        if upper and prev in WORDS.list_join:  # "metro A e B"
            j = _prev_index(tokens, i)
            k = _prev_index(tokens, j) if j is not None else None
            return k is not None and tokens[k].text.upper() in self.metro and self._metro_letter_cued(
                tokens, k, _prev_word(tokens, k))
        return False

    def _number_is_line(self, tokens: Sequence[Token], i: int, verdicts: dict[int, bool], not_lines: set[str]) -> bool:
        tok = tokens[i]
        if _attached_non_line(tokens, i):
            return False
        j = _skip_number_word(tokens, _prev_index(tokens, i))
        prev = tokens[j].low if j is not None else None
        if prev == "#":
            return True
        if prev in WORDS.vehicle or (prev in WORDS.metro):  # "bus 64", but "tram 30 gradi" is a temperature
            return _next_word(tokens, i) not in WORDS.measure_after_vehicle or _apostrophe_after(tokens, i + 1)
        if _adjacent_number(tokens, i):
            return False
        nxt = _next_word(tokens, i)
        if nxt in WORDS.line_after and (prev in WORDS.article or len(tok.text) >= 2):
            return True
        unit = (nxt in WORDS.unit_after and not _apostrophe_after(tokens, i + 1)  # "64 m'ha" is an elision, not metres
                and not (nxt in WORDS.unit_adverb and prev in WORDS.article))  # "il 490 ora": now, not an hour
        date = nxt in WORDS.months and int(tok.text) <= 31
        if unit or date or _symbol_after(tokens, i):  # "the 63 set to" is not September
            return False
        if nxt in WORDS.unit_of and i + 2 < len(tokens) and (tokens[i + 2].low in WORDS.unit_after  # "30 de minute"
                                                             or tokens[i + 2].low in WORDS.months):  # "el 5 de enero"
            return False
        if _is_age(tokens, i, prev) or _signature_age(tokens, i) or _apposed_age(tokens, i):
            return False
        if prev in WORDS.weekdays or (prev in WORDS.months and int(tok.text) <= 31):
            return False
        if prev is not None and prev in WORDS.street or _after_street_name(tokens, i):
            return False
        if prev in WORDS.range_join and j is not None:  # "dal giorno 1 al 30": the end of a range of days
            k = _prev_index(tokens, j)
            if k is not None and verdicts.get(k) is False:
                return False
        if prev in WORDS.order_word and j is not None and _prev_word(tokens, j) in WORDS.article:  # "the next 75"
            return True
        if (prev in WORDS.article or prev in WORDS.feminine_number  # "la 8": la linea 8
                or (prev == "le" and int(tok.text) > 24)):  # French "dans le 64"; Italian "le 7" a time
            return j is None or _prev_word(tokens, j) not in WORDS.call  # "chiamato il 118" is a telephone number
        if prev in WORDS.not_line_before or prev in ("€", "$", "£"):
            return False
        if prev in WORDS.list_join and j is not None:
            k = _prev_index(tokens, j)
            if k is not None and k in verdicts:
                return verdicts[k]
        if tok.text in not_lines:
            return False
        if prev is not None and prev not in _PUNCT_BREAK and prev not in WORDS.list_join and not prev.isalpha():
            return False
        words = [t for t in tokens if t.text[0].isalnum()]
        return (len(tok.text) >= 2 or len(words) == 1
                or (_opens_message(tokens, i) and nxt in WORDS.opening_number_next))  # "8 per Casaletto va?"


# ---- token helpers ---------------------------------------------------------------------------------
def _prev_index(tokens: Sequence[Token], i: int) -> int | None:
    """Index of the previous token that is not an apostrophe (so "dell'8" reads as dell + 8)."""
    j = i - 1
    while j >= 0 and tokens[j].text in _APOSTROPHES:
        j -= 1
    return j if j >= 0 else None


def _skip_number_word(tokens: Sequence[Token], j: int | None) -> int | None:
    """Step back over "n.", "no.", "numero", "number" between a cue and a number."""
    if j is not None and tokens[j].text in ".°º" and j > 0 and tokens[j - 1].low in WORDS.number_word:
        j -= 1
    while j is not None and tokens[j].low in WORDS.number_word:
        j = _prev_index(tokens, j)
    return j


def _prev_word(tokens: Sequence[Token], i: int) -> str | None:
    j = _prev_index(tokens, i)
    return tokens[j].low if j is not None else None


def _next_word(tokens: Sequence[Token], i: int) -> str | None:
    j = i + 1
    return tokens[j].low if j < len(tokens) else None


def _suffix_after(tokens: Sequence[Token], i: int) -> bool:
    """Whether a lower-case word is glued after the apostrophe at ``i`` («A'da», «Termini'de»)."""
    return (i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end and tokens[i + 1].text.isalpha()
            and tokens[i + 1].text.islower())


def _apostrophe_after(tokens: Sequence[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text in _APOSTROPHES and tokens[i + 1].start == tokens[i].end


def _is_hashtag(tokens: Sequence[Token], i: int) -> bool:
    return (i > 0 and tokens[i - 1].text == "#" and tokens[i - 1].end == tokens[i].start
            and not tokens[i].is_number)


def _inside_tag(tokens: Sequence[Token], i: int) -> bool:
    """A word touching a hyphen or bracket on both sides, as in a station tag "(MA-MB-FS)"."""
    before = i > 0 and tokens[i - 1].end == tokens[i].start and tokens[i - 1].text in "-(/"
    after = i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end and tokens[i + 1].text in "-)/"
    return before or after


def _letter_pair(tokens: Sequence[Token], i: int) -> bool:
    """A letter joined to the same letter by an ampersand, no space between: "B&B" is a bed and breakfast."""
    text = tokens[i].text.upper()
    if len(text) != 1:
        return False
    after = (i + 2 < len(tokens) and tokens[i + 1].text == "&" and tokens[i + 2].text.upper() == text
             and _touching(tokens, i, i + 1) and _touching(tokens, i + 1, i + 2))
    before = (i >= 2 and tokens[i - 1].text == "&" and tokens[i - 2].text.upper() == text
              and _touching(tokens, i - 2, i - 1) and _touching(tokens, i - 1, i))
    return after or before


def _abbreviated(tokens: Sequence[Token], i: int) -> bool:
    """A letter with a full stop and another letter right after it, no space between: "c.a.", "p.es."."""
    return (i + 2 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 2].text[0].isalpha()
            and _touching(tokens, i, i + 1) and _touching(tokens, i + 1, i + 2))


def _touching(tokens: Sequence[Token], a: int, b: int) -> bool:
    return 0 <= a < len(tokens) and 0 <= b < len(tokens) and tokens[a].end == tokens[b].start


def _attached_non_line(tokens: Sequence[Token], i: int) -> bool:
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
            and tokens[i + 2].low in WORDS.unit_after - WORDS.vehicle):  # "80-year-old", "30-minute", "72-Stunden"
        return True
    if _touching(tokens, i, i + 1) and tokens[i + 1].text in "%°ºª€$'’":
        # "20'" is minutes; "l'8" has its apostrophe before the number, not after
        return not (tokens[i + 1].text in _APOSTROPHES and _touching(tokens, i + 1, i + 2)
                    and tokens[i + 2].text[0].isalpha())
    return False


def _symbol_after(tokens: Sequence[Token], i: int) -> bool:
    """A symbol of a measure after the number: "50%", "20€", "3x2", "3 x 2"; not «60 x piazza Venezia» (x: per)."""
    if i + 1 >= len(tokens) or tokens[i + 1].text not in ("%", "€", "$", "£", "°", "'", "’", "x", "×", "+"):
        return False
    if tokens[i + 1].text in ("x", "×"):  # a product only touching the number or before another number
        return _touching(tokens, i, i + 1) or (i + 2 < len(tokens) and tokens[i + 2].is_number)
    if tokens[i + 1].text in ("'", "’") and i + 2 < len(tokens) and tokens[i + 2].low == "s" and _touching(
            tokens, i + 1, i + 2):  # "the 913's engine": a possessive, not minutes (20')
        return False
    return True


def _is_age(tokens: Sequence[Token], i: int, prev: str | None) -> bool:
    """"my dad is 85", "I'm 23", "mein Vater ist 90": a person, a copula, a number."""
    if prev not in WORDS.copula:
        return False
    j = _prev_index(tokens, i)
    for _ in range(3):
        j = _prev_index(tokens, j) if j is not None else None
        if j is not None and tokens[j].low in WORDS.person:
            return True
    return False


def _apposed_age(tokens: Sequence[Token], i: int) -> bool:
    """"my mum, 70, can't", "a student at Sapienza, 23, any pass?", "nonna (85)": a number set off by commas or
    brackets, a person named at most four words before it and no vehicle between them, no number right after."""
    if i == 0 or i + 1 >= len(tokens):
        return False
    if (tokens[i - 1].text, tokens[i + 1].text) not in ((",", ","), (",", "."), ("(", ")")):
        return False
    after = _next_word(tokens, i + 1)
    if after is not None and after.isdigit():  # "64, 70, 40": a list
        return False
    j = _prev_index(tokens, i - 1)
    for _ in range(4):
        if j is None or not tokens[j].text[0].isalpha():
            return False
        if tokens[j].low in WORDS.apposed_person:
            return True
        if tokens[j].low in WORDS.vehicle | WORDS.metro:  # "my son takes the bus, 64, ..." names a line
            return False
        j = _prev_index(tokens, j)
    return False


def _signature_age(tokens: Sequence[Token], i: int) -> bool:
    """"Grazie, Pietro (81)": a number in brackets after a name, closing the message."""
    if not (_touching(tokens, i - 1, i) and tokens[i - 1].text == "(" and _touching(tokens, i, i + 1)
            and tokens[i + 1].text == ")" and i >= 2 and tokens[i - 2].text[:1].isupper()):
        return False
    return all(not t.text[0].isalnum() for t in tokens[i + 2:])


def _opens_message(tokens: Sequence[Token], i: int) -> bool:
    """The first word of the message, after any @mentions."""
    j = 0
    while j < i and tokens[j].text == "@" and j + 1 < i:
        j += 2
    return j == i


def _elided(tokens: Sequence[Token], i: int) -> bool:
    """After an elided article: "l'h", "dell'h"."""
    return (i >= 2 and tokens[i - 1].text in _APOSTROPHES and _touching(tokens, i - 1, i)
            and tokens[i - 2].low in WORDS.article)


def _upper_letter_after(tokens: Sequence[Token], i: int, letters: dict[str, str]) -> bool:
    """The word after index i is an upper-case metro letter: "A e B"."""
    return i + 1 < len(tokens) and tokens[i + 1].text in letters


def _adjacent_number(tokens: Sequence[Token], i: int) -> bool:
    """Part of a run of numbers separated by single spaces: phone numbers, codes."""
    return ((i + 1 < len(tokens) and tokens[i + 1].is_number and tokens[i + 1].start - tokens[i].end == 1)
            or (i > 0 and tokens[i - 1].is_number and tokens[i].start - tokens[i - 1].end == 1))


def _after_street_name(tokens: Sequence[Token], i: int) -> bool:
    """"via Nazionale 40", "viale Trastevere, 12": a capitalised name right after a street word."""
    j = _prev_index(tokens, i)
    if j is not None and tokens[j].text == ",":
        j = _prev_index(tokens, j)
    steps = 0
    while j is not None and steps < 4 and tokens[j].text[:1].isalpha():
        if tokens[j].low in WORDS.street:
            return steps > 0
        if not (tokens[j].text[0].isupper() or tokens[j].low in WORDS.street_name_link):
            return False
        j = _prev_index(tokens, j)
        steps += 1
    return False


def _shouting(text: str) -> bool:
    letters = "".join(filter(str.isalpha, text))
    return len(letters) >= 8 and sum(map(str.isupper, letters)) / len(letters) > 0.6


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
