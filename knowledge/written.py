"""Text in any script: folding, whether a text is mostly in another script than Latin, and names found as written."""

from __future__ import annotations

import re
import unicodedata


def written_without_spaces(c: str) -> bool:
    """Whether ``c`` is of a script that runs words together (Thai, Lao, Khmer, Han, kana)."""
    return "\u0e00" <= c <= "\u0eff" or "\u1780" <= c <= "\u17ff" or "\u3040" <= c <= "\u30ff" or (
        "\u3400" <= c <= "\u9fff") or "\uf900" <= c <= "\ufaff"


def mostly_other_script(text: str) -> bool:
    """Whether most of the letters of ``text`` are outside the Latin script (Han, Cyrillic, Arabic, Hangul, ...).

    A Han or kana character counts three letters and a Hangul syllable two (one says a syllable or a word, where
    Latin spells it in several): «今天Ottaviano站开吗» is a Chinese question about a station named in Latin letters.
    """
    if text.isascii():
        return False
    latin = other = 0
    for c in text:
        if c.isalpha():
            if c < "\u0250" or "\u1e00" <= c < "\u1f00":
                latin += 1
            elif "\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff":
                other += 3
            elif "\uac00" <= c <= "\ud7af":
                other += 2
            else:
                other += 1
    return other > latin


def fold(text: str) -> str:
    """Lower case with accents and other combining marks dropped, in any script ("Τέρμινι" -> "τερμινι")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _is_hangul(c: str) -> bool:
    """Whether ``c`` is a Hangul syllable or jamo."""
    return "\uac00" <= c <= "\ud7af" or "\u1100" <= c <= "\u11ff"


class WrittenNames:
    """Names or words of other scripts and languages, found in a folded message (:func:`fold`) as written: anywhere
    in a script written without spaces («テルミニ駅»), else at the start of a word; a Latin-script entry as a whole
    word; a long Cyrillic or Greek name less its last letter, so that it is found in any case («на станции
    Термини», «у Колизея», «Колізею»)."""

    def __init__(self, entries: dict[str, tuple[str, tuple[str, ...]]], *, stems: bool, hangul_anywhere: bool) -> None:
        self.entries: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.anywhere: set[str] = set()
        self.whole: set[str] = set()
        for folded, value in entries.items():
            written = folded
            if stems and len(folded) >= 6 and "\u0370" <= folded[-1] <= "\u04ff":
                written = folded[:-1]
            self.entries.setdefault(written, value)
            first = written[0]
            if written_without_spaces(first) or (hangul_anywhere and _is_hangul(first)):
                self.anywhere.add(written)
            elif not mostly_other_script(written):
                self.whole.add(written)
        alternatives = sorted(self.entries, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def find(self, folded: str) -> list[tuple[int, tuple[str, tuple[str, ...]]]]:
        """(where, value) of each entry found in ``folded`` (a message as :func:`fold` leaves it)."""
        if self.pattern is None:
            return []
        found = []
        for m in self.pattern.finditer(folded):
            start, end, written = m.start(), m.end(), m.group()
            if written not in self.anywhere:
                if start > 0 and folded[start - 1].isalnum():
                    continue  # inside another word
                if written in self.whole and end < len(folded) and folded[end].isalnum():
                    continue  # «bus» is not «business»
            found.append((start, self.entries[written]))
        return found
