"""The FAQ knowledge base's entries and how they are read from YAML files, with clear errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import KnowledgeError

_ENTRY_KEYS = frozenset({"id", "topic", "questions", "answer", "tags"})


class FaqError(KnowledgeError):
    """The FAQ knowledge base is missing, malformed, or was asked for an unknown entry."""


@dataclass(frozen=True)
class FaqEntry:
    """One question-and-answer of the knowledge base, in several languages."""

    id: str
    topic: str
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    tags: tuple[str, ...] = ()  # optional keywords of the entry ("contatore, lettura"): matched on too


def read_entries(paths: Sequence[str | Path]) -> list[FaqEntry]:
    """Every entry of the YAML files at ``paths`` (folders of *.yaml, or files); ids must be unique."""
    entries: list[FaqEntry] = []
    seen: dict[str, Path] = {}
    for file in _yaml_files(paths):
        for entry in _read_file(file):
            if entry.id in seen:
                msg = f"{file}: duplicate FAQ id {entry.id!r} (already in {seen[entry.id]})"
                raise FaqError(msg)
            seen[entry.id] = file
            entries.append(entry)
    if not entries:
        msg = f"no FAQ entries found in {', '.join(str(p) for p in paths)}"
        raise FaqError(msg)
    return entries


def _yaml_files(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                msg = f"{path}: directory holds no *.yaml FAQ files"
                raise FaqError(msg)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            msg = f"{path}: no such FAQ file or directory"
            raise FaqError(msg)
    return files


def _read_file(file: Path) -> list[FaqEntry]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        msg = f"{file}: cannot read FAQ file: {exc}"
        raise FaqError(msg) from exc
    if not isinstance(data, list):
        msg = f"{file}: expected a list of FAQ entries, got {type(data).__name__}"
        raise FaqError(msg)
    return [_parse_entry(file, position, item) for position, item in enumerate(data, start=1)]


def _parse_entry(file: Path, position: int, item: Any) -> FaqEntry:
    where = f"{file}: entry {position}"
    if not isinstance(item, dict):
        msg = f"{where}: expected a mapping with keys {sorted(_ENTRY_KEYS)}"
        raise FaqError(msg)
    if isinstance(item.get("id"), str) and item["id"].strip():
        where = f"{where} (id {item['id']!r})"
    unknown = sorted(str(key) for key in item if key not in _ENTRY_KEYS)
    if unknown:
        msg = f"{where}: unknown key(s) {unknown}; expected {sorted(_ENTRY_KEYS)}"
        raise FaqError(msg)
    for key in ("id", "topic"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            msg = f"{where}: key '{key}' must be a non-empty string"
            raise FaqError(msg)
    questions = _parse_languages(where, "questions", item.get("questions"), _question_list)
    answer = _parse_languages(where, "answer", item.get("answer"), _answer_text)
    tags = _tag_list(where, item.get("tags", []))
    return FaqEntry(item["id"].strip(), item["topic"].strip(), questions, answer, tags)


def _parse_languages(where: str, key: str, value: Any, parse: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        msg = f"{where}: key '{key}' must map language codes (it, en, ...) to text"
        raise FaqError(msg)
    parsed = {}
    for lang, text in value.items():
        if not isinstance(lang, str) or not lang.isalpha():
            msg = f"{where}: key '{key}.{lang}' is not a language code"
            raise FaqError(msg)
        parsed[lang] = parse(f"{where}: key '{key}.{lang}'", text)
    return parsed


def _question_list(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        msg = f"{where} must be a non-empty list of questions"
        raise FaqError(msg)
    for question in value:
        if not isinstance(question, str) or not question.strip():
            msg = f"{where} holds {question!r}, not a non-empty string"
            raise FaqError(msg)
    return tuple(question.strip() for question in value)


def _tag_list(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        msg = f"{where}: key 'tags' must be a list of words (or one comma-separated string)"
        raise FaqError(msg)
    return tuple(tag.strip() for tag in value if tag.strip())


def _answer_text(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{where} must be a non-empty string"
        raise FaqError(msg)
    return value.strip()


def check_unique_ids(entries: Iterable[FaqEntry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            msg = f"duplicate FAQ id {entry.id!r}"
            raise FaqError(msg)
        seen.add(entry.id)
