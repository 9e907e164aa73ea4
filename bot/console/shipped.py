"""Canned replies shipped with sportello (``data/canned_replies.yaml``) and their placeholders."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from string import Formatter

import yaml

from bot.errors import ConfigError

SHIPPED = Path(__file__).resolve().parent / "data" / "canned_replies.yaml"
#: The placeholders a canned reply may use.
PLACEHOLDERS = ("case", "line", "agent_first_name", "phone", "emergency_number")
_LEFT = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class ShippedReply:
    """One shipped canned reply in one language."""

    key: str
    lang: str
    title: str
    text: str
    intents: tuple[str, ...]


@functools.cache
def shipped_replies(path: Path = SHIPPED) -> tuple[ShippedReply, ...]:
    """Every shipped reply, per language; a placeholder outside :data:`PLACEHOLDERS` is an error."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: list[ShippedReply] = []
    for entry in data["replies"]:
        for lang in ("it", "en"):
            part = entry[lang]
            text = " ".join(str(part["text"]).split())
            for _, name, _, _ in Formatter().parse(text):
                if name is not None and name not in PLACEHOLDERS:
                    msg = f"{path.name}: reply {entry['id']!r} ({lang}) uses {{{name}}}; known: {', '.join(PLACEHOLDERS)}"
                    raise ConfigError(msg)
            found.append(ShippedReply(entry["id"], lang, str(part["title"]), text, tuple(entry.get("intents") or ())))
    return tuple(found)


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder that has a value filled in; the others stay as they are."""
    return _LEFT.sub(lambda m: values.get(m.group(1)) or m.group(0), text)


def unfilled(text: str) -> list[str]:
    """The placeholders still in ``text`` (a reply is not sent with one left)."""
    return sorted(set(_LEFT.findall(text)))


def first_name(username: str) -> str:
    """The agent's first name as the console knows it: the user name up to a dot, capitalised."""
    head = re.split(r"[._\-\s]", username.strip(), maxsplit=1)[0]
    return head[:1].upper() + head[1:]
