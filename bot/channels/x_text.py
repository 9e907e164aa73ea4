"""Posts as X counts them (URLs 23, emoji and CJK 2) and long replies as numbered threads."""

from __future__ import annotations

import html
import re
import unicodedata

MAX_WEIGHT = 280
URL_WEIGHT = 23
#: Code point ranges X counts as 1; everything else counts 2 (twitter-text v3 configuration).
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:it|com|org|net|eu|gov|info|io|ly|co)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»"
_EMOJI_CHAR = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff"
    "\u2190-\u21ff\u25a0-\u25ff\u2934\u2935\u3030\u303d\u3297\u3299"
)
_MODS = "\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_EMOJI = re.compile(
    rf"[\U0001f1e6-\U0001f1ff]{{2}}"  # a flag: two regional indicators
    rf"|[0-9#*]\ufe0f?\u20e3"  # a keycap
    rf"|[{_EMOJI_CHAR}][{_MODS}]*(?:\u200d[{_EMOJI_CHAR}][{_MODS}]*)*"
)


def _char_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _LIGHT_RANGES) else 2


def _urls(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def weighted_length(text: str) -> int:
    """The length X charges for ``text``: a URL counts 23, an emoji sequence 2, CJK 2."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    urls = _urls(text)
    for start, end in urls + [(len(text), len(text))]:
        total += _plain_weight(text[pos:start])
        if end > start:
            total += URL_WEIGHT
        pos = end
    return total


def _plain_weight(text: str) -> int:
    total = 0
    pos = 0
    for match in _EMOJI.finditer(text):
        total += sum(_char_weight(c) for c in text[pos : match.start()])
        total += 2
        pos = match.end()
    return total + sum(_char_weight(c) for c in text[pos:])


def fits(text: str, limit: int = MAX_WEIGHT) -> bool:
    """Whether ``text`` can be posted as one post."""
    return weighted_length(text) <= limit


def _atoms(word: str) -> list[str]:
    """A word cut into pieces that must not be split: emoji sequences, single characters."""
    atoms: list[str] = []
    pos = 0
    for match in _EMOJI.finditer(word):
        atoms.extend(word[pos : match.start()])
        atoms.append(match.group())
        pos = match.end()
    atoms.extend(word[pos:])
    return atoms


def _pack(text: str, budget: int) -> list[str]:
    """Words packed greedily into posts of at most ``budget``.

    Weights add up token by token: URLs and emoji sequences never contain whitespace.
    """
    parts: list[str] = []
    current, weight = "", 0
    for token in re.findall(r"\S+|\s+", text):
        cost = weighted_length(token)
        if token.isspace():
            if current:
                current, weight = current + token, weight + cost
            continue
        if weight + cost <= budget:
            current, weight = current + token, weight + cost
            continue
        if current.strip():
            parts.append(current.strip())
        current, weight = "", 0
        if cost <= budget:
            current, weight = token, cost
            continue
        for atom in _atoms(token):  # a word longer than a post: cut it
            step = weighted_length(atom)
            if weight + step > budget:
                parts.append(current)
                current, weight = "", 0
            current, weight = current + atom, weight + step
    if current.strip():
        parts.append(current.strip())
    return parts


def split_thread(text: str, limit: int = MAX_WEIGHT) -> list[str]:
    """``text`` as one post, or as posts numbered " (1/n)" each within ``limit``."""
    text = unicodedata.normalize("NFC", text).strip()
    if fits(text, limit):
        return [text]
    digits = 1
    while True:
        suffix_room = len(f" ({'9' * digits}/{'9' * digits})")
        parts = _pack(text, limit - suffix_room)
        if len(str(len(parts))) <= digits:
            total = len(parts)
            return [f"{part} ({i}/{total})" for i, part in enumerate(parts, 1)]
        digits += 1


_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")


def comparable(text: str) -> str:
    """A post's text as X may give it back: entities unescaped, leading mentions and URLs dropped."""
    text = html.unescape(unicodedata.normalize("NFC", text))
    text = _LEADING_MENTIONS.sub("", text.strip())
    text = _URL.sub("<url>", text)
    return " ".join(text.split())


def same_post(posted: str, sent: str) -> bool:
    """Whether ``posted`` (read back from X) is the text we ``sent``."""
    return comparable(posted) == comparable(sent)
