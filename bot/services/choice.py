"""Which service a message is for: the channel it came in on when that channel is one service's, else the
evidence in its words (words naming a service, a line or stop of its network).

The FAQs' match scores are not evidence: each FAQ's are calibrated on its own entries, so a transit FAQ
scores 0.8 for "dove butto il vetro?" as readily as the waste FAQ does. Their meaning is: one encoder (the
reader's multilingual USE) places the message and every service's FAQ questions in one space, and the service
whose nearest question is closer than any other service's by ``desk.meaning_lead`` gains one word's weight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from bot.config import DeskSettings

if TYPE_CHECKING:
    from knowledge.store import Knowledge

#: The service stored for a message no service claimed, until a person decides.
UNDECIDED = "undecided"

#: The key of a message's extras naming the service its intake already knows (the web chat page opened for one).
SERVICE_EXTRA = "service"

#: What each kind of evidence weighs: a word naming the service, a subject only that service has.
WORD_WEIGHT = 1.0
SUBJECT_WEIGHT = 2.0
MEANING_WEIGHT = 1.0


class ChoiceBasis(StrEnum):
    """How the service was chosen."""

    ONLY = "only"  # the deployment serves one service
    CHANNEL = "channel"  # the channel is configured as this service's
    PAGE = "page"  # the message was written on a page opened for this service (the web chat's ?service=)
    READING = "reading"  # the message's words point to it, clearly ahead of the others
    UNDECIDED = "undecided"  # no service is clearly ahead: a person decides


@dataclass(frozen=True)
class ServiceChoice:
    """The service chosen for a message (None when undecided), how, and each service's evidence."""

    service: str | None
    basis: ChoiceBasis
    scores: Mapping[str, float] = field(default_factory=dict)

    def reason(self) -> str:
        """One line for the decision's reasons (people read it; code reads ``basis``)."""
        shown = ", ".join(f"{name} {score:.2f}" for name, score in sorted(self.scores.items(), key=lambda i: -i[1]))
        if self.basis is ChoiceBasis.ONLY:
            return f"service {self.service}: the only one"
        if self.basis is ChoiceBasis.CHANNEL:
            return f"service {self.service}: the channel it came in on"
        if self.basis is ChoiceBasis.PAGE:
            return f"service {self.service}: the page it was written on"
        if self.basis is ChoiceBasis.READING:
            return f"service {self.service}, read from the message ({shown})"
        return f"service undecided ({shown or 'no evidence'}): a person decides"


class ServiceChooser:
    """Chooses among named services, each with its knowledge (domain, network, FAQ)."""

    def __init__(
        self,
        services: Mapping[str, Knowledge],
        *,
        channels: Mapping[str, str] | None = None,
        settings: DeskSettings | None = None,
    ) -> None:
        self.services = dict(services)
        self.channels = dict(channels or {})
        self.settings = settings or DeskSettings()
        self._questions: dict[str, tuple[Sequence[object], np.ndarray]] = {}  # each service's entries, embedded

    def evidence(self, name: str, text: str) -> float:
        """How strongly ``text`` points to the service ``name``."""
        knowledge = self.services[name]
        domain = knowledge.domain
        score = WORD_WEIGHT * len(domain.service_words(text))
        for finder in domain.finders:
            if finder.tells_service and finder.find(knowledge, text):
                score += SUBJECT_WEIGHT
        return score

    def nearest_in_meaning(self, texts: Sequence[str]) -> list[str | None]:
        """For each text, the service whose FAQ has the question nearest in meaning, when it leads every other
        service's nearest by ``desk.meaning_lead`` (None otherwise, or when the lead is off)."""
        lead = self.settings.meaning_lead
        if lead is None or len(self.services) < 2 or not texts:
            return [None] * len(texts)
        from bot.reading.features import Encoder

        questions = self._embedded_questions()
        vectors = Encoder.encode(list(texts))
        nearest = {name: (m @ vectors.T).max(axis=0) if len(m) else np.full(len(texts), -1.0)
                   for name, m in questions.items()}
        out: list[str | None] = []
        for i in range(len(texts)):
            ranked = sorted(((float(v[i]), name) for name, v in nearest.items()), reverse=True)
            out.append(ranked[0][1] if ranked[0][0] - ranked[1][0] >= lead else None)
        return out

    def warm(self) -> None:
        """Embed every service's FAQ questions now, when the meaning lead is on, so that the first message does
        not wait for it."""
        if self.settings.meaning_lead is not None and len(self.services) >= 2:
            self._embedded_questions()

    def _embedded_questions(self) -> dict[str, np.ndarray]:
        """Each service's FAQ questions embedded: once, and again for a service whose FAQ was reloaded."""
        from bot.reading.features import Encoder

        for name, knowledge in self.services.items():
            entries = knowledge.faq.entries
            cached = self._questions.get(name)
            if cached is None or (cached[0] is not entries and cached[0] != entries):
                texts = [q for e in entries for qs in e.questions.values() for q in qs]
                self._questions[name] = (entries, Encoder.encode(texts))
        return {name: embedded for name, (_entries, embedded) in self._questions.items()}

    def choose(self, text: str, channel: str | None = None) -> ServiceChoice:
        """The service for one message."""
        return self.choose_many([text], [channel])[0]

    def choose_many(self, texts: Sequence[str], channels: Sequence[str | None]) -> list[ServiceChoice]:
        """The service of each message (the meanings encoded in one batch)."""
        if len(self.services) == 1:
            return [ServiceChoice(next(iter(self.services)), ChoiceBasis.ONLY) for _ in texts]
        read = [i for i, c in enumerate(channels) if c is None or c not in self.channels]
        meant = dict(zip(read, self.nearest_in_meaning([texts[i] for i in read])))
        return [
            ServiceChoice(self.channels[str(channel)], ChoiceBasis.CHANNEL) if i not in meant
            else self._read(text, meant[i])
            for i, (text, channel) in enumerate(zip(texts, channels))
        ]

    def _read(self, text: str, meant: str | None) -> ServiceChoice:
        scores = {name: round(self.evidence(name, text) + (MEANING_WEIGHT if name == meant else 0.0), 3)
                  for name in self.services}
        ranked: Sequence[tuple[str, float]] = sorted(scores.items(), key=lambda item: -item[1])
        best, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top >= self.settings.min_score and top - runner_up >= self.settings.min_lead:
            return ServiceChoice(best, ChoiceBasis.READING, scores)
        return ServiceChoice(None, ChoiceBasis.UNDECIDED, scores)
