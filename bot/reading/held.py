"""The rules that keep a message for a person whatever the reader's confidence (``held.yaml``): likely sarcasm read
as feedback, and requests outside the public service read as a FAQ question."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.domain import Held, Intent
from bot.reading.rules import Rule, RuleSet

HELD_FILE = Path(__file__).resolve().parent / "held.yaml"


@dataclass(frozen=True)
class HeldRules(RuleSet):
    """The rules of ``held.yaml``, by name: ``praise`` and ``failure`` together, and no ``kindness``, make irony;
    ``own_file``, ``staff``, ``business`` and ``others_service`` each make a request outside the public service."""

    praise: Rule
    failure: Rule
    kindness: Rule
    own_file: Rule
    staff: Rule
    business: Rule
    others_service: Rule

    @classmethod
    def load(cls, path: Path = HELD_FILE) -> HeldRules:
        """The rules stored in ``path``; a missing or broken rule is an error naming it."""
        return cls.read(path)

    def held(self, intent: Intent, norm: str) -> Held | None:
        """Why a message the reader read as ``intent`` goes to a person whatever its confidence, or None.

        Feedback that praises or thanks and also names a service failure, and says nobody was kind and nothing
        was put right, is likely sarcasm (a complaint); a FAQ
        reading of a message about the writer's own file, the operator as employer, business with the operator or
        another business's service answers a question nobody asked. ``norm``: the normalised message."""
        if (intent == Intent.FEEDBACK and self.praise.search(norm) and self.failure.search(norm)
                and not self.kindness.search(norm)):
            return Held.IRONY
        outside = (self.own_file, self.staff, self.business, self.others_service)
        if intent == Intent.FAQ and any(rule.search(norm) for rule in outside):
            return Held.OUTSIDE_SERVICE
        return None


HELD = HeldRules.load()
