"""The complaint categories a message can be given: those of its service's domain (a desk of several services).

A message of a service takes its domain's categories; an undecided message on a desk of several takes any
service's (a person may correct the category before deciding the service); one service takes its domain's.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from knowledge.domains import Domain, domain_named


def domains_of(settings: Settings, service: str | None) -> tuple[Domain, ...]:
    """The domains whose categories a message of ``service`` may take (the first is its own, when it has one)."""
    if not settings.services:
        return (domain_named(settings.knowledge.domain),)
    chosen = settings.services.get(service or "")
    if chosen is not None:
        return (domain_named(chosen.knowledge.domain, key=f"services.{service}.knowledge.domain"),)
    names = [s.knowledge.domain for s in settings.services.values()]
    return tuple(domain_named(n) for n in dict.fromkeys(names))  # undecided, or a service no longer configured


def categories_of(settings: Settings, service: str | None) -> tuple[str, ...]:
    """The category codes a message of ``service`` may take, in the domains' order, each once."""
    codes = [str(c) for domain in domains_of(settings, service) for c in domain.categories]
    return tuple(dict.fromkeys(codes))


def category_labels(
    settings: Settings, service: str | None, lang: str, console_word: Callable[[str], str | None]
) -> dict[str, str]:
    """How the console names each category: its own word when it has one (``cat_<code>``), else the domain's
    topic words ("la perdita d'acqua")."""
    labels: dict[str, str] = {}
    for domain in domains_of(settings, service):
        for member in domain.categories:
            code = str(member)
            if code not in labels:
                labels[code] = console_word(code) or domain.topic(code, lang)
    return labels


__all__ = ["categories_of", "category_labels", "domains_of"]
