"""The posting policy: what goes out at once, what waits for a person, what is escalated."""

from __future__ import annotations

from bot.config import PolicySettings
from bot.domain import Action, Decision, Intent, SourceKind, is_watched

#: The source a reply of this intent cannot be written without: its age must be known to post alone.
REQUIRED_SOURCE: dict[Intent, SourceKind] = {Intent.STATUS: SourceKind.ALERTS, Intent.FAQ: SourceKind.FAQ}


def choose_action(decision: Decision, policy: PolicySettings) -> Action:
    """The router's action, made stricter by the operator's policy and the age of every source used.

    Emergencies always escalate; a watched message (possible danger) is never posted alone; nothing
    else is posted alone unless the router was sure, the operator allows the intent, and every source
    the reply drew on (``decision.sources``: alerts, trip updates, service counts, the FAQ) is fresh
    and confirmed. A reply whose required source carries no age at all is not posted alone either.
    """

    if decision.intent == Intent.EMERGENCY or decision.action == Action.ESCALATE:
        return Action.ESCALATE
    if decision.action != Action.AUTO or not policy.auto_enabled or is_watched(decision):
        return Action.REVIEW
    if str(decision.intent) not in policy.auto_intents:
        return Action.REVIEW
    if decision.confidence < policy.auto_min_confidence:
        return Action.REVIEW
    if any(not source.usable for source in decision.sources):
        return Action.REVIEW
    required = REQUIRED_SOURCE.get(decision.intent)
    if required is not None and decision.source(required) is None:
        return Action.REVIEW
    return Action.AUTO


def acknowledge_action(decision: Decision, policy: PolicySettings) -> Action:
    """A report the service acknowledges (``handlers.complaint.acknowledged``) goes out alone where the operator lets
    complaints do so (``complaint`` in ``policy.auto_intents``) and every source it drew on is usable; else a person
    sends it. Its text states no live fact, so the reader's confidence in an answer does not apply."""
    if not policy.auto_enabled or str(Intent.COMPLAINT) not in policy.auto_intents or is_watched(decision):
        return Action.REVIEW
    if any(not source.usable for source in decision.sources):
        return Action.REVIEW
    return Action.AUTO
