"""Domains register by name; the configuration selects one, and a source the domain does not read is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain import Decision, Intent, category_named
from bot.errors import ConfigError
from knowledge.domains import BUILTIN, domain_named, known_domains
from knowledge.domains.base import Source
from knowledge.store import Knowledge


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_builtin_domains_are_registered_by_name() -> None:
    assert known_domains() == sorted(BUILTIN)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_category_of_every_domain_has_a_topic_in_each_served_language(name: str) -> None:
    domain = domain_named(name)
    for member in domain.categories:
        for lang in ("it", "en"):
            assert domain.topic(str(member), lang), (name, member, lang)


@pytest.mark.parametrize("name", BUILTIN)
def test_every_cue_names_a_category_of_its_domain(name: str) -> None:
    domain = domain_named(name)
    assert set(domain.words.cues) <= {str(m) for m in domain.categories}


def test_an_unknown_domain_in_the_configuration_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"knowledge\.domain: .*unknown domain 'gas'; known domains: transit, waste, water"):
        load_settings(_config(tmp_path, "knowledge:\n  domain: gas\n"))


def test_an_unknown_domain_asked_by_name_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"^services\.x\.knowledge\.domain: unknown domain 'gas'; known domains: "):
        domain_named("gas", key="services.x.knowledge.domain")


def test_a_water_deployment_does_not_load_the_sample_network_or_alerts(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "knowledge:\n  domain: water\n"))
    knowledge = Knowledge.from_settings(settings.knowledge)
    assert (knowledge.domain.name, knowledge.gtfs.routes, knowledge.alert_feed.configured) == ("water", {}, False)


def test_a_source_the_domain_does_not_read_is_refused_naming_the_key(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "knowledge:\n  domain: water\n  gtfs: gtfs.zip\n"))
    with pytest.raises(ConfigError, match=r"^knowledge\.gtfs: the water domain does not read it \(it reads faq, gazetteer, outages, planned_outages\)"):
        Knowledge.from_settings(settings.knowledge)


def test_a_transit_deployment_may_leave_gtfs_out(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, "knowledge:\n  gtfs: null\n"))
    knowledge = Knowledge.from_settings(settings.knowledge)
    assert knowledge.domain.reads(Source.GTFS) and knowledge.gtfs.routes == {}


def test_a_stored_decision_reads_back_another_domains_category() -> None:
    water = domain_named("water")
    decision = Decision("it", Intent.COMPLAINT, category=water.category_of("perdita d'acqua in via Roma"), service="acqua")
    again = Decision.from_dict(decision.as_dict())
    assert (again.category, again.service) == (category_named("leak"), "acqua")
    assert type(again.category) is water.categories
