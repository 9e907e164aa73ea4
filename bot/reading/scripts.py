"""The scripts the learned reader can read (``scripts.yaml``), and whether a message is mostly in one it cannot."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import SportelloError

SCRIPTS_FILE = Path(__file__).resolve().parent / "scripts.yaml"
LATIN = "LATIN"  # the script Italian and English are written in
UNKNOWN = "UNKNOWN"  # a letter Unicode gives no name (unassigned, private use): no script the reader knows
_MOSTLY = 0.5  # above this share of its letters in scripts the reader cannot read, a message is unreadable to it


class ScriptTableError(SportelloError):
    """The scripts file is missing, empty, or gives an example letter that is not in its script."""


@functools.lru_cache(maxsize=4096)
def letter_script(letter: str) -> str:
    """The script of one letter as Unicode names it: the first word of its name (``"DEVANAGARI"``)."""
    name = unicodedata.name(letter, "")
    return name.split(" ", 1)[0] if name else UNKNOWN


def script_counts(text: str) -> dict[str, int]:
    """How many of ``text``'s letters each script holds, compatibility forms first: the bold, italic and script
    letters of styled posts (𝐛𝐮𝐬, 𝘣𝘶𝘴) and full-width letters are Latin."""
    counts: dict[str, int] = {}
    for char in unicodedata.normalize("NFKC", text):
        if char.isalpha():
            script = letter_script(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


@dataclass(frozen=True)
class ScriptTable:
    """The scripts the reader can read, each with one example letter (the table's own test)."""

    read: dict[str, str]

    @classmethod
    def load(cls, path: Path = SCRIPTS_FILE) -> ScriptTable:
        """The table stored in ``path``; an example letter outside its script is an error naming it."""
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        read = data.get("read")
        if not isinstance(read, dict) or not read:
            msg = f"{path}: 'read' must map each script the reader can read to one of its letters"
            raise ScriptTableError(msg)
        for script, example in read.items():
            if not isinstance(example, str) or len(example) != 1 or letter_script(example) != script:
                msg = f"{path}: script {script!r}: example {example!r} is not one letter of that script"
                raise ScriptTableError(msg)
        return cls({str(k): str(v) for k, v in read.items()})

    def unread_script(self, text: str) -> str | None:
        """The script most of ``text``'s letters are in when that share is in scripts the reader cannot read
        (``"ETHIOPIC"``); None when most are in scripts it reads, or there are no letters."""
        if text.isascii() and self._reads_ascii:  # NFKC keeps ASCII as it is: every letter in a script it reads
            return None
        counts = script_counts(text)
        letters = sum(counts.values())
        unread = {script: n for script, n in counts.items() if script not in self.read}
        if not letters or sum(unread.values()) <= _MOSTLY * letters:
            return None
        return max(unread, key=lambda script: unread[script])

    def main_script(self, text: str) -> str | None:
        """The script most of ``text``'s letters are in (compatibility forms first, so full-width and styled Latin
        letters are Latin); None when it has no letters."""
        if text.isascii():
            return LATIN if any(c.isalpha() for c in text) else None
        counts = script_counts(text)
        return max(counts, key=lambda script: counts[script]) if counts else None

    @functools.cached_property
    def _reads_ascii(self) -> bool:
        """Whether every ASCII letter is in a script the reader reads."""
        return all(letter_script(chr(c)) in self.read for c in range(128) if chr(c).isalpha())


SCRIPTS = ScriptTable.load()
