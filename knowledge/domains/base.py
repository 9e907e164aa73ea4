"""What a domain declares: its sources, subject finders, complaint categories, reply texts and service words.

The words and texts are data (each domain's ``words.yaml`` beside its module), read once and checked by the
domain's tests; the code here only compiles and asks them.
"""

from __future__ import annotations

import re
from string import Formatter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.domain import register_categories
from bot.errors import SportelloError
from knowledge.streetnames import fold

if TYPE_CHECKING:
    from knowledge.store import Knowledge


class DomainError(SportelloError):
    """A domain's words file is missing a part, or holds a pattern that does not compile."""


class Source(StrEnum):
    """A knowledge source a domain may read (a key of the ``knowledge`` settings)."""

    GTFS = "gtfs"
    ALERTS = "alerts"
    TRIP_UPDATES = "trip_updates"
    OUTAGES = "outages"
    PLANNED_OUTAGES = "planned_outages"
    GAZETTEER = "gazetteer"
    FAQ = "faq"


@dataclass(frozen=True)
class SubjectFinder:
    """One way of finding what a message is about: lines, stops, streets.

    ``tells_service`` says whether finding one names the service (a bus line does; a street, shared by the
    water and the waste service of one town, does not).
    """

    kind: str
    find: Callable[[Knowledge, str], tuple[str, ...]]
    tells_service: bool = False


@dataclass(frozen=True)
class Words:
    """A domain's words file, compiled: texts by language, and folded patterns."""

    service: Mapping[str, str]  # the service's name in a sentence, by language ("il servizio idrico")
    topics: Mapping[str, Mapping[str, str]]  # complaint category -> language -> "the delay"
    fallback_topic: Mapping[str, str]
    cues: Mapping[str, re.Pattern[str]]  # complaint category -> what citizens write about it (folded)
    service_words: re.Pattern[str] | None  # words that name this service (folded)
    missing_service: re.Pattern[str] | None  # a service missing in a place: outage talk (folded)
    where: Mapping[str, str]  # what to ask for to find someone ("linea, fermata o stazione")
    undecided: Mapping[str, str]  # the draft of a message whose service a person decides
    report: Mapping[str, str] | None = None  # what to tell us to report a problem ("linea, fermata e orario")
    everywhere: Mapping[str, str] | None = None  # the whole service in a status reply ("sulla rete")
    emergency: Mapping[str, str] | None = None  # the safety reply to an emergency ("{number}": the emergency number)
    emergency_line: Mapping[str, str] | None = None  # said after it when the operator has its own line ("{line}")
    thanks: Mapping[str, str] | None = None  # the answer to thanks and praise
    canned: tuple[CannedText, ...] = ()  # the agents' canned replies for this service (the console)
    no_lines: Mapping[str, str] | None = None  # /linea or /fermata on a desk of this service: what it can do instead
    #: complaint category -> language -> the acknowledgement a report of it against a known place gets alone
    #: (``{place}``, ``{case}``: " con il numero di pratica #12" or empty, ``{phone}``: the urgent line)
    acknowledgements: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    danger_words: re.Pattern[str] | None = None  # a reported problem put someone at risk: never acknowledged alone
    path: Path | None = None  # the file it was read from

    @classmethod
    def load(cls, path: Path) -> Words:
        """Read and compile ``path``; :class:`DomainError` names the file and the part."""
        try:
            data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            msg = f"{path}: cannot read the domain's words: {exc}"
            raise DomainError(msg) from exc
        for part in ("service", "topics", "fallback_topic", "where", "undecided", "emergency", "thanks",
                     "canned_replies"):
            if part not in data:
                msg = f"{path}: missing {part!r}"
                raise DomainError(msg)
        return cls(
            service=dict(data["service"]),
            topics={str(k): dict(v) for k, v in data["topics"].items()},
            fallback_topic=dict(data["fallback_topic"]),
            cues={str(k): _compile(v, path, f"cues.{k}") for k, v in (data.get("cues") or {}).items()},
            service_words=_compile(data.get("service_words"), path, "service_words"),
            missing_service=_compile(data.get("missing_service"), path, "missing_service"),
            where=dict(data["where"]),
            undecided=dict(data["undecided"]),
            report=dict(data["report"]) if data.get("report") else None,
            everywhere=dict(data["everywhere"]) if data.get("everywhere") else None,
            emergency=_texts(data["emergency"], path, "emergency", ("number",)),
            emergency_line=_texts(data["emergency_line"], path, "emergency_line", ("line",))
            if data.get("emergency_line") else None,
            thanks=_texts(data["thanks"], path, "thanks", ()),
            canned=_canned(data["canned_replies"], path),
            no_lines=_texts(data["no_lines"], path, "no_lines", ()) if data.get("no_lines") else None,
            acknowledgements=_acknowledgements(data, path),
            danger_words=_compile(data.get("danger_words"), path, "danger_words"),
            path=path,
        )


def _acknowledgements(data: Mapping[str, Any], path: Path) -> dict[str, dict[str, str]]:
    """The acknowledgements by category: each category a topic of the file, each text in Italian and English with
    exactly ``{place}``, ``{case}`` and ``{phone}``; the danger words are required beside them."""
    found = data.get("acknowledgements") or {}
    if found and not data.get("danger_words"):
        msg = f"{path}: acknowledgements: need 'danger_words' (what keeps a report for a person)"
        raise DomainError(msg)
    for category in found:
        if category not in (data.get("topics") or {}):
            msg = f"{path}: acknowledgements.{category}: not a category of 'topics'"
            raise DomainError(msg)
    return {str(category): _texts(texts, path, f"acknowledgements.{category}", ("place", "case", "phone"))
            for category, texts in found.items()}


#: The placeholders a canned reply may use, filled when an agent inserts it (``bot/console/shipped.py``).
CANNED_PLACEHOLDERS = ("case", "line", "place", "agent_first_name", "phone", "emergency_number")


@dataclass(frozen=True)
class CannedText:
    """One canned reply of a service: its key, the intents it suits, its title and text by language."""

    key: str
    intents: tuple[str, ...]
    titles: Mapping[str, str]
    texts: Mapping[str, str]


def _canned(entries: list[dict[str, Any]] | None, path: Path) -> tuple[CannedText, ...]:
    """The canned replies, each in Italian and English with a title and a text using only known placeholders."""
    if not entries:
        msg = f"{path}: canned_replies: none listed"
        raise DomainError(msg)
    found: list[CannedText] = []
    for n, entry in enumerate(entries, start=1):
        key = str((entry or {}).get("id") or "")
        if not key or key in {c.key for c in found}:
            msg = f"{path}: canned_replies #{n}: {'a second ' + repr(key) if key else 'no id'}"
            raise DomainError(msg)
        titles, texts = {}, {}
        for lang in ("it", "en"):
            part = entry.get(lang) or {}
            if not part.get("title") or not part.get("text"):
                msg = f"{path}: canned_replies {key!r}: missing the {lang!r} title or text"
                raise DomainError(msg)
            text = " ".join(str(part["text"]).split())
            unknown = sorted({name for _, name, _, _ in Formatter().parse(text) if name} - set(CANNED_PLACEHOLDERS))
            if unknown:
                msg = (f"{path}: canned_replies {key!r} ({lang}) uses {{{unknown[0]}}}; known: "
                       f"{', '.join(CANNED_PLACEHOLDERS)}")
                raise DomainError(msg)
            titles[lang], texts[lang] = str(part["title"]), text
        found.append(CannedText(key, tuple(entry.get("intents") or ()), titles, texts))
    return tuple(found)


def _texts(texts: Mapping[str, str], path: Path, part: str, fields: tuple[str, ...]) -> dict[str, str]:
    """A text by language, in Italian and English at least, whose ``{placeholders}`` are exactly ``fields``."""
    found = {str(lang): str(text) for lang, text in (texts or {}).items()}
    for lang in ("it", "en"):
        if lang not in found:
            msg = f"{path}: {part}: missing the {lang!r} text"
            raise DomainError(msg)
    for lang, text in found.items():
        named = {name for _, name, _, _ in Formatter().parse(text) if name}
        if named != set(fields):
            msg = f"{path}: {part}.{lang}: placeholders {sorted(named)}, expected {sorted(fields)}"
            raise DomainError(msg)
    return found


def _compile(phrases: list[str] | None, path: Path, part: str) -> re.Pattern[str] | None:
    """One pattern matching any of ``phrases`` (regular expressions over folded text) as whole words."""
    if not phrases:
        return None
    try:
        return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in phrases) + r")\b")
    except re.error as exc:
        msg = f"{path}: {part}: a phrase does not compile: {exc}"
        raise DomainError(msg) from exc


@dataclass(frozen=True)
class Domain:
    """A kind of public service sportello can serve.

    - ``sources``: the ``knowledge`` keys it reads; a key it does not read, set in the configuration, is an error;
    - ``finders``: how it finds a message's subjects;
    - ``categories``: its complaint categories (a StrEnum); ``learned_categories`` when the learned reader
      tells them (transit), else they are found from the words file's cues;
    - ``words``: its reply texts and the words that name it.
    """

    name: str
    sources: frozenset[Source]
    finders: tuple[SubjectFinder, ...]
    categories: type[StrEnum]
    words: Words
    learned_categories: bool = False
    other_category: StrEnum | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if Source.GTFS not in self.sources and self.words.no_lines is None:
            msg = f"{self.words.path or self.name}: missing 'no_lines' (the answer to /linea and /fermata on a desk without lines)"
            raise DomainError(msg)
        register_categories(self.categories)

    def reads(self, source: Source) -> bool:
        """Whether this domain reads ``source``."""
        return source in self.sources

    def subjects(self, knowledge: Knowledge, text: str) -> dict[str, tuple[str, ...]]:
        """What each finder finds in ``text``, by kind (kinds with nothing found left out)."""
        found = {finder.kind: finder.find(knowledge, text) for finder in self.finders}
        return {kind: names for kind, names in found.items() if names}

    def category_of(self, text: str) -> StrEnum | None:
        """The complaint category the cues point to (the first listed that matches), else the domain's "other"."""
        folded = fold(text)
        for member in self.categories:
            cue = self.words.cues.get(str(member))
            if cue is not None and cue.search(folded):
                return member
        return self.other_category

    def acknowledges(self, category: StrEnum | str | None) -> bool:
        """Whether a report of ``category`` against a known place is acknowledged alone (the words file says how)."""
        return category is not None and str(category) in self.words.acknowledgements

    def endangers(self, text: str) -> bool:
        """Whether ``text`` says a reported problem puts someone at risk (the words file's danger words)."""
        return self.words.danger_words is not None and self.words.danger_words.search(fold(text)) is not None

    def topic(self, category: str | None, lang: str) -> str:
        """How a reply names a complaint's category ("il ritardo", "the leak")."""
        texts = self.words.topics.get(category or "") or self.words.fallback_topic
        return texts.get(lang) or texts.get("it") or next(iter(texts.values()))

    def where(self, lang: str) -> str:
        """What to ask someone in danger for, to find them ("line, stop or station")."""
        return self.words.where.get(lang) or self.words.where["it"]

    def report_details(self, lang: str) -> str:
        """What someone reporting a problem should tell us ("linea, fermata e orario"); the words file's
        ``report``, else what is asked of someone in danger (``where``)."""
        texts = self.words.report or self.words.where
        return texts.get(lang) or texts["it"]

    def everywhere(self, lang: str) -> str:
        """How a status reply with no line or street says "anywhere in the service" ("sulla rete")."""
        texts = self.words.everywhere or {"it": "sulla rete", "en": "on the network"}
        return texts.get(lang) or texts["it"]

    def emergency_reply(self, lang: str, *, number: str, line: str | None = None) -> str:
        """The safety reply to an emergency, in ``lang`` ("it" or "en"): call ``number``, and what this service's
        emergencies call for ("tell the driver", "the fire brigade for a fire"); then the operator's own
        emergency line, when it has one and the domain says how to give it."""
        texts = self.words.emergency or {}
        text = (texts.get(lang) or texts["it"]).format(number=number)
        if line and self.words.emergency_line:
            text += " " + (self.words.emergency_line.get(lang) or self.words.emergency_line["it"]).format(line=line)
        return text

    def thanks(self, lang: str) -> str:
        """The answer to thanks, praise and greetings ("Buon viaggio" only where people travel)."""
        texts = self.words.thanks or {}
        return texts.get(lang) or texts["it"]

    def no_lines_reply(self, lang: str) -> str:
        """The answer to /linea or /fermata on this service's desk (no lines): what it can do instead."""
        texts = self.words.no_lines or {}
        return texts.get(lang) or texts["it"]

    def undecided_reply(self, lang: str) -> str:
        """The draft of a message whose service a person has to decide (a multi-service desk)."""
        return self.words.undecided.get(lang) or self.words.undecided["it"]

    def says_missing(self, text: str) -> bool:
        """Whether the message says this domain's service is missing in a place (outage talk)."""
        pattern = self.words.missing_service
        return pattern is not None and pattern.search(fold(text)) is not None

    def service_words(self, text: str) -> tuple[str, ...]:
        """The words of ``text`` that name this service."""
        pattern = self.words.service_words
        return tuple(m.group(0) for m in pattern.finditer(fold(text))) if pattern else ()


#: Every registered domain, by name.
DOMAINS: dict[str, Domain] = {}


def register(domain: Domain) -> Domain:
    """Make ``domain`` known by its name (a domain module calls this once, at import)."""
    DOMAINS[domain.name] = domain
    return domain


def words_file(module_file: str) -> Path:
    """The ``words.yaml`` beside a domain's module."""
    return Path(module_file).resolve().parent / "words.yaml"
