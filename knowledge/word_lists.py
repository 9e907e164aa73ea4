"""Reading a YAML file of word lists for a rule step: every list checked, a broken one refused naming its key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

from knowledge.errors import KnowledgeError

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: 3 ms instead of 20 at import
Lists = TypeVar("Lists")


def load_word_lists(cls: type[Lists], path: Path, error: type[KnowledgeError], what: str, reader: str,
                    mappings: dict[str, Callable[[Path, object], Any]] | None = None) -> Lists:
    """``cls`` (a dataclass of word lists) filled from ``path``: each field its key's words, checked, as a tuple where
    the field is one (order matters) and a frozenset otherwise; a field in ``mappings`` read by its own function."""
    known = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    data = read_lists(path, known, error, what, reader)
    lists: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if mappings and f.name in mappings:
            lists[f.name] = mappings[f.name](path, data.get(f.name))
            continue
        words = checked_words(path, f.name, data.get(f.name), error, reader)
        lists[f.name] = words if str(f.type).startswith("tuple") else frozenset(words)
    return cls(**lists)


def read_lists(path: Path, known: list[str], error: type[KnowledgeError], what: str, reader: str) -> dict[str, Any]:
    """The keys of ``path`` (``what`` names its words in messages, ``reader`` the module that reads them), refused
    with ``error`` when unreadable, not a mapping, or holding a key outside ``known``."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        msg = f"{path}: cannot read {what}: {exc}"
        raise error(msg) from exc
    if not isinstance(data, dict):
        msg = f"{path}: expected one list of words per key (key: [word, ...]), found {type(data).__name__}"
        raise error(msg)
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        msg = (f"{path}: unknown key {unknown[0]!r}: remove it, or read it in {reader} and add it to the words' "
               f"class (known: {', '.join(known)})")
        raise error(msg)
    return data


def checked_words(path: Path, key: str, value: object, error: type[KnowledgeError], reader: str) -> tuple[str, ...]:
    """The words of one key, checked: a non-empty list of distinct lower-case strings."""
    if value is None:
        msg = f"{path}: {key!r} missing: add it as a list of words ({key}: [word, ...]); {reader} reads it"
        raise error(msg)
    if not isinstance(value, list) or not value:
        msg = f"{path}: {key!r} must be a non-empty list of words ({key}: [word, ...]), found {value!r}"
        raise error(msg)
    seen: set[str] = set()
    for word in value:
        if not isinstance(word, str) or not word.strip():
            msg = (f"{path}: {key!r} holds {word!r}, not a word: quote it ({key}: [\"no\", ...]); YAML reads "
                   f"unquoted no, yes, on, off as true/false and bare numbers as numbers")
            raise error(msg)
        if word != word.lower():
            msg = f"{path}: {key!r} holds {word!r}: write it in lower case ({word.lower()!r}); messages are compared so"
            raise error(msg)
        if word in seen:
            msg = f"{path}: {key!r} lists {word!r} twice: remove one"
            raise error(msg)
        seen.add(word)
    return tuple(value)
