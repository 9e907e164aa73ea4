"""The words sent without waiting for anyone: the safety reply to an emergency, the acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge.domains import Domain, domain_named

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.waits import WaitEstimate


@dataclass(frozen=True)
class EmergencyVoice:
    """How a service answers an emergency at once: its domain's words, the emergency number, its own line."""

    domain: Domain
    emergency_number: str
    breakdown_number: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> EmergencyVoice:
        """The voice of a desk of one service: the configured domain and the operator's numbers."""
        operator = settings.operator
        return cls(domain_named(settings.knowledge.domain), operator.emergency_number, operator.breakdown_number)


def safety_text(lang: str, *, emergency_number: str, domain: Domain | None = None, line: str | None = None) -> str:
    """Call the emergency number and what the service's emergencies call for (transit: tell the driver; water,
    waste: their own words and ``line``, the operator's emergency line, when set); in the citizen's language
    (it and en for others). The words are the domain's (``knowledge/domains/<name>/words.yaml``), transit's
    when none is given.

    It never repeats the citizen's words, so it may be posted in public.
    """
    domain = domain or domain_named("transit")
    it = domain.emergency_reply("it", number=emergency_number, line=line)
    en = domain.emergency_reply("en", number=emergency_number, line=line)
    if lang == "it":
        return it
    if lang == "en":
        return en
    return f"{it}\n{en}"


def _wait_words(lang: str, estimate: WaitEstimate | None) -> str:
    if estimate is None:
        if lang == "en":
            return "We cannot tell yet how long it will take: we do not have enough history to estimate it."
        return "Non sappiamo ancora dirti quanto ci vorrà: non abbiamo abbastanza dati per stimarlo."
    low, high = estimate.low_minutes, estimate.high_minutes
    if lang == "en":
        return f"Expected wait: about {low} to {high} minutes."
    return f"Attesa prevista: circa {low}–{high} minuti."


def watch_line(lang: str, *, emergency_number: str) -> str:
    """The one calm line a watched message's acknowledgement adds (possible danger, :func:`bot.domain.is_watched`)."""
    if lang == "en":
        return f"If someone is in danger right now, call {emergency_number} straight away."
    return f"Se qualcuno è in pericolo in questo momento, chiama subito il {emergency_number}."


def ack_text(lang: str, *, case_id: int, estimate: WaitEstimate | None, emergency_number: str | None = None) -> str:
    """We have your message, a person will answer, how long that may take, and the case number; with
    ``emergency_number`` (a watched message) one calm line more: call it if someone is in danger now."""
    if lang == "en":
        head = "We have your message: a member of our customer care team will answer you."
        tail = f"Your case number is {case_id}: send /status {case_id} to see where it stands."
        watch = f" {watch_line('en', emergency_number=emergency_number)}" if emergency_number else ""
        return f"{head} {_wait_words('en', estimate)} {tail}{watch}"
    it = (
        "Abbiamo ricevuto il tuo messaggio: ti risponderà una persona del nostro servizio clienti. "
        f"{_wait_words('it', estimate)} La tua pratica è la n. {case_id}: scrivi /stato {case_id} "
        "per sapere a che punto è."
    )
    if emergency_number:
        it += f" {watch_line('it', emergency_number=emergency_number)}"
    if lang == "it":
        return it
    return f"{it}\n{ack_text('en', case_id=case_id, estimate=estimate, emergency_number=emergency_number)}"


def ops_text(*, case_id: int, channel: str, lang: str, text: str, received: str) -> str:
    """The operations room's alert: an emergency, where and when, and the citizen's own words."""
    return (
        f"EMERGENZA / EMERGENCY — pratica {case_id}, {channel}, {received}, lingua {lang}:\n{text}\n"
        "La risposta di sicurezza è già partita; il messaggio è in cima alla console."
    )
