"""The words sent without waiting for anyone: the safety reply to an emergency, the acknowledgement."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.waits import WaitEstimate


def safety_text(lang: str, *, emergency_number: str) -> str:
    """Call the emergency number, tell the staff; in the citizen's language (it and en for others).

    It never repeats the citizen's words, so it may be posted in public.
    """
    it = (
        f"Se qualcuno è in pericolo chiama subito il {emergency_number}. Avvisa il conducente o il "
        "personale di stazione. Abbiamo avvisato la nostra centrale operativa."
    )
    en = (
        f"If anyone is in danger, call {emergency_number} now. Tell the driver or the station staff. "
        "We have alerted our operations room."
    )
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


def ack_text(lang: str, *, case_id: int, estimate: WaitEstimate | None) -> str:
    """We have your message, a person will answer, how long that may take, and the case number."""
    if lang == "en":
        head = "We have your message: a member of our customer care team will answer you."
        tail = f"Your case number is {case_id}: send /status {case_id} to see where it stands."
        return f"{head} {_wait_words('en', estimate)} {tail}"
    it = (
        "Abbiamo ricevuto il tuo messaggio: ti risponderà una persona del nostro servizio clienti. "
        f"{_wait_words('it', estimate)} La tua pratica è la n. {case_id}: scrivi /stato {case_id} "
        "per sapere a che punto è."
    )
    if lang == "it":
        return it
    return f"{it}\n{ack_text('en', case_id=case_id, estimate=estimate)}"


def ops_text(*, case_id: int, channel: str, lang: str, text: str, received: str) -> str:
    """The operations room's alert: an emergency, where and when, and the citizen's own words."""
    return (
        f"EMERGENZA / EMERGENCY — pratica {case_id}, {channel}, {received}, lingua {lang}:\n{text}\n"
        "La risposta di sicurezza è già partita; il messaggio è in cima alla console."
    )
