"""The posting policy: what goes out at once, what waits for a person, what is escalated."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import PolicySettings
from bot.domain import Action, Decision, Intent

if TYPE_CHECKING:
    from knowledge.store import Knowledge


def choose_action(
    decision: Decision,
    policy: PolicySettings,
    *,
    knowledge: Knowledge | None = None,
    now: datetime | None = None,
) -> Action:
    """The router's action, made stricter by the operator's policy and the data's age.

    Emergencies always escalate; nothing is posted alone unless the router was sure, the
    operator allows the intent, and (for status answers) the live data is fresh.
    """

    if decision.intent == Intent.EMERGENCY or decision.action == Action.ESCALATE:
        return Action.ESCALATE
    if decision.action != Action.AUTO or not policy.auto_enabled:
        return Action.REVIEW
    if str(decision.intent) not in policy.auto_intents:
        return Action.REVIEW
    if decision.confidence < policy.auto_min_confidence:
        return Action.REVIEW
    if decision.intent == Intent.STATUS and knowledge is not None and now is not None:
        if not knowledge.alerts_fresh(now):
            return Action.REVIEW
    return Action.AUTO
