"""Each domain's words file: a part a service needs (its canned replies, its answer to /linea on a desk without
lines) missing fails at start-up naming the file; water and waste say nothing of lines, stops or drivers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.domains import domain_named
from knowledge.domains.base import Domain, DomainError, Source, Words

DOMAINS = Path(__file__).resolve().parents[3] / "knowledge" / "domains"
#: Words of a transit desk that a water or waste citizen should never read.
TRANSIT_WORDS = re.compile(r"\b(linea|linee|fermata|autista|conducente|vettura|corsa|line|stop|driver|vehicle|"
                           r"bus|tram)\b|\{line\}", re.IGNORECASE)


def _without(tmp_path: Path, domain: str, part: str) -> Path:
    """The domain's words file with the top-level ``part`` (and what is indented under it) removed."""
    lines, out, skipping = (DOMAINS / domain / "words.yaml").read_text("utf-8").splitlines(), [], False
    for line in lines:
        if re.match(rf"^{part}:", line):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    path = tmp_path / "words.yaml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("domain", ["transit", "water", "waste"])
def test_a_words_file_without_canned_replies_fails_naming_the_file(tmp_path: Path, domain: str) -> None:
    path = _without(tmp_path, domain, "canned_replies")
    with pytest.raises(DomainError, match=re.escape(f"{path}: missing 'canned_replies'")):
        Words.load(path)


def test_a_domain_without_lines_needs_its_answer_to_the_line_commands(tmp_path: Path) -> None:
    water = domain_named("water")
    path = _without(tmp_path, "water", "no_lines")
    with pytest.raises(DomainError, match=re.escape(f"{path}: missing 'no_lines'")):
        Domain(name="water-test", sources=water.sources, finders=(), categories=water.categories, words=Words.load(path))
    transit = domain_named("transit")
    assert Source.GTFS in transit.sources and transit.words.no_lines is None  # a transit desk has lines


@pytest.mark.parametrize("domain", ["water", "waste"])
def test_water_and_waste_agents_and_citizens_read_no_transit_words(domain: str) -> None:
    words = domain_named(domain).words
    for canned in words.canned:
        for lang in ("it", "en"):
            said = f"{canned.titles[lang]} {canned.texts[lang]}"
            assert not TRANSIT_WORDS.search(said), (canned.key, lang, said)
    assert words.no_lines is not None
    for text in words.no_lines.values():
        assert "/segui" in text or "/follow" in text  # what the desk can do instead


@pytest.mark.parametrize("domain", ["water", "waste"])
def test_acknowledgements_without_danger_words_fail_naming_the_file(tmp_path: Path, domain: str) -> None:
    path = _without(tmp_path, domain, "danger_words")
    with pytest.raises(DomainError, match=re.escape(f"{path}: acknowledgements: need 'danger_words'")):
        Words.load(path)


def test_an_acknowledgement_with_another_placeholder_fails_naming_it(tmp_path: Path) -> None:
    text = (DOMAINS / "water" / "words.yaml").read_text("utf-8").replace("passed to our repair team",
                                                                          "passed to {agent_first_name}")
    path = tmp_path / "words.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DomainError, match=re.escape(f"{path}: acknowledgements.leak.en: placeholders")):
        Words.load(path)


@pytest.mark.parametrize("domain", ["water", "waste"])
def test_each_acknowledged_category_is_the_domains_and_its_text_says_no_transit_word(domain: str) -> None:
    words = domain_named(domain).words
    assert set(words.acknowledgements) <= {str(c) for c in domain_named(domain).categories}
    assert not any(TRANSIT_WORDS.search(t) for texts in words.acknowledgements.values() for t in texts.values())


def test_transit_acknowledges_no_report_alone() -> None:
    assert domain_named("transit").words.acknowledgements == {}
