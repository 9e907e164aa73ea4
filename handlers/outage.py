"""Replies about a missing service in a street: the outage covering it, with its age, or a person with the street.

Used when the knowledge has outage sources and the message says its domain's service is missing ("via Sparano
a Bari senza acqua": the words are the domain's, ``knowledge/domains/<name>/words.yaml``). A covered street with fresh data may go out alone (when the policy allows status replies);
an uncovered, ambiguous or stale case is drafted for an agent with the street named in the draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.domain import Action, Decision, DraftReply
from handlers.text import data_stamp, local_moment
from knowledge.domains import DOMAINS, Domain, load_builtin_domains
from knowledge.outage_lookup import Finding, OutageLookup

if TYPE_CHECKING:
    from knowledge.store import Knowledge

def asks_about_outage(text: str, domain: Domain | None = None) -> bool:
    """Whether the message says a service is missing: ``domain``'s service, or any known domain's."""
    if domain is not None:
        return domain.says_missing(text)
    load_builtin_domains()
    return any(d.says_missing(text) for d in DOMAINS.values())


def draft(decision: Decision, text: str, knowledge: Knowledge, settings: Settings, now: datetime) -> DraftReply | None:
    """The outage reply to a message about a missing service in a place, or None when it is not one."""
    store = knowledge.outages
    if not store.configured or not asks_about_outage(text, knowledge.domain):
        return None
    found = store.lookup(text, now)
    if found.finding is Finding.NO_STREET and found.municipality_code is None and found.subject is None:
        return None
    age = store.source_age(now)
    lang = decision.lang if decision.lang in ("it", "en") else "it"
    tz = settings.operator.timezone
    stamp = data_stamp(age.data_time, now, tz, lang)
    operator = settings.operator  # urgent faults: the emergency/breakdown line when the operator has one
    reply = _text(found, lang, tz, stamp, operator.breakdown_number or operator.customer_phone)
    policy = settings.policy
    alone = (found.finding is Finding.COVERED and age.usable and policy.auto_enabled
             and "status" in policy.auto_intents)
    return DraftReply(text=reply, lang=lang, action=Action.AUTO if alone else Action.REVIEW, sources=(age,))


def _place(found: OutageLookup) -> str:
    if found.street is not None:
        return f"{found.street.name}, {found.street.municipality}" if found.street.municipality else found.street.name
    return found.subject.name if found.subject is not None else ""


def _text(found: OutageLookup, lang: str, tz: str, stamp: str, phone: str) -> str:
    place = _place(found)
    if found.finding is Finding.COVERED:
        outage = found.outages[0]
        until = local_moment(outage.expires, tz) if outage.expires else None
        if lang == "en":
            where = f" affecting {place}" if place else ""
            end = f" Expected end: {until}." if until else ""
            return f"There is an interruption{where}: {outage.text('en')}.{end} (Data updated {stamp}.)"
        where = f" che interessa {place}" if place else ""
        end = f" Fine prevista: {until}." if until else ""
        return f"Risulta un'interruzione{where}: {outage.text('it')}.{end} (Dati aggiornati {stamp}.)"
    if found.finding is Finding.AMBIGUOUS:
        if found.points:
            names = sorted({f"{p.name}, {p.municipality}" if p.municipality else p.name for p in found.points})
            if lang == "en":
                return f"Which one do you mean ({'; '.join(names)})? An operator will check it for you."
            return f"Quale intendi ({'; '.join(names)})? Un operatore verificherà per te."
        towns = sorted({s.municipality for s in found.candidates})
        if lang == "en":
            return f"Which municipality is the street in ({', '.join(towns)})? An operator will check it for you."
        return f"In quale comune si trova la strada ({', '.join(towns)})? Un operatore verificherà per te."
    if lang == "en":
        return (f"We know of no interruption in force for {place or 'that area'} (data updated {stamp}). "
                f"An operator will look into your report; for urgent faults call {phone}.")
    return (f"Non ci risultano interruzioni in corso per {place or 'quella zona'} (dati aggiornati {stamp}). "
            f"Un operatore prenderà in carico la segnalazione; per guasti urgenti chiama il {phone}.")
