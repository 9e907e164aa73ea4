"""Domains as plug-ins: a kind of public service (transit, water, waste) and what sportello needs to serve it.

A domain declares the knowledge sources it reads, how it finds a message's subjects, its complaint
categories and its reply texts (:class:`knowledge.domains.base.Domain`). Each is one package here that
registers itself by name; ``knowledge.domain`` (or ``services.<name>.knowledge.domain``) selects one, and an
unknown name is a config error listing the known ones.
"""

from __future__ import annotations

import importlib

from bot.errors import ConfigError
from knowledge.domains.base import DOMAINS, Domain, register

__all__ = ["BUILTIN", "DOMAINS", "Domain", "domain_named", "known_domains", "load_builtin_domains", "register"]

#: The domains shipped with sportello (each a package beside this module).
BUILTIN = ("transit", "water", "waste")


def load_builtin_domains() -> None:
    """Import the built-in domains so they register themselves by name."""
    for name in BUILTIN:
        importlib.import_module(f"knowledge.domains.{name}")


def known_domains() -> list[str]:
    """Every registered domain's name, sorted."""
    load_builtin_domains()
    return sorted(DOMAINS)


def domain_named(name: str, *, key: str = "knowledge.domain") -> Domain:
    """The domain registered as ``name``; a :class:`ConfigError` naming ``key`` and the known ones otherwise."""
    load_builtin_domains()
    found = DOMAINS.get(name)
    if found is None:
        msg = f"{key}: unknown domain {name!r}; known domains: {', '.join(sorted(DOMAINS))}"
        raise ConfigError(msg)
    return found
