"""Canned replies shipped with sportello, each service's from its domain's ``words.yaml`` (``canned_replies``),
and their placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.domains.base import CANNED_PLACEHOLDERS, Domain

#: The placeholders a canned reply may use (a domain's file using another fails at start-up, naming the file).
PLACEHOLDERS = CANNED_PLACEHOLDERS
_LEFT = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class ShippedReply:
    """One shipped canned reply in one language, of one service's domain."""

    key: str
    lang: str
    title: str
    text: str
    intents: tuple[str, ...]
    domain: str = ""


def shipped_replies(domains: Iterable[Domain], *, every: bool = False) -> tuple[ShippedReply, ...]:
    """The canned replies of ``domains`` (a message's service's own; every service's for an undecided message
    or the canned page of a desk of several), per language; a key already given by an earlier domain is not
    repeated, unless ``every`` (the canned page lists each service's own)."""
    found: list[ShippedReply] = []
    seen: set[str] = set()
    for domain in domains:
        for canned in domain.words.canned:
            if canned.key in seen and not every:
                continue
            seen.add(canned.key)
            found += [ShippedReply(canned.key, lang, canned.titles[lang], canned.texts[lang], canned.intents, domain.name)
                      for lang in ("it", "en")]
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
