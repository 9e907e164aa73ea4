"""The configured outage sources and gazetteer, as the knowledge holds them: lookups, age, jobs, errors."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT, load_settings
from bot.domain import DataState, SourceKind
from bot.errors import ConfigError
from knowledge.outage_lookup import Finding
from knowledge.store import Knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
NOW = datetime.fromisoformat("2026-12-03T10:00:00+01:00")


def _config(tmp_path: Path, gazetteer: Path) -> Path:
    for name in ("atom-puglia.xml", "interruzioni-programmate.csv"):
        target = tmp_path / name
        target.write_bytes((FIXTURES / name).read_bytes())
        os.utime(target, (NOW.timestamp(), NOW.timestamp()))
    path = tmp_path / "config.yaml"
    path.write_text(
        "knowledge:\n  domain: water\n"
        "  outages:\n    source: atom-puglia.xml\n    max_age_seconds: 86400\n"
        "  planned_outages:\n    source: interruzioni-programmate.csv\n    max_age_seconds: 86400\n"
        f"  gazetteer: ['{gazetteer}']\n",
        encoding="utf-8",
    )
    return path


def _knowledge(tmp_path: Path) -> Knowledge:
    settings = load_settings(_config(tmp_path, PACKAGE_ROOT / "examples" / "water" / "stradario.csv"))
    return Knowledge.from_settings(settings.knowledge, clock=lambda: NOW)


def test_both_sources_feed_one_lookup(tmp_path: Path) -> None:
    knowledge = _knowledge(tmp_path)
    assert knowledge.outages.lookup("via Sparano Bari senza acqua", NOW).finding is Finding.COVERED
    assert [o.id for o in knowledge.outages.lookup("via Petroni a Bari, acqua?", NOW).outages] == ["PRG-2026-0412"]


def test_the_outage_age_is_a_source_of_the_knowledge(tmp_path: Path) -> None:
    assert _knowledge(tmp_path).source_age(SourceKind.OUTAGES, NOW).state is DataState.FRESH


def test_each_outage_source_has_a_refresh_job(tmp_path: Path) -> None:
    names = {job.name for job in _knowledge(tmp_path).jobs()}
    assert {"feed:outages", "feed:planned_outages"} <= names


def test_no_outage_source_is_an_unknown_age(tmp_path: Path) -> None:
    knowledge = Knowledge.from_settings(load_settings(None).knowledge, clock=lambda: NOW)
    assert knowledge.source_age(SourceKind.OUTAGES, NOW).state is DataState.UNKNOWN


def test_a_broken_gazetteer_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "strade.csv"
    bad.write_text("street,lat,lon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"knowledge\.gazetteer: .*municipality_code"):
        Knowledge.from_settings(load_settings(_config(tmp_path, bad)).knowledge, clock=lambda: NOW)
