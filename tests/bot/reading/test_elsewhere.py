"""Whether a message is about another operator's network (bot/reading/elsewhere.yaml): each rule's examples, and
what the reading finds in whole messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import Elsewhere, ElsewhereKind
from bot.reading.elsewhere import ELSEWHERE, ELSEWHERE_FILE, ElsewhereRules
from bot.reading.rules import RuleError
from knowledge.text import normalise


@pytest.mark.parametrize("rule", ELSEWHERE.all(), ids=lambda r: r.name)
def test_each_rule_matches_its_examples_and_misses_the_others(rule) -> None:  # noqa: ANN001
    assert rule.matches and rule.misses, f"{rule.name}: a rule needs examples both ways"
    prepared = str.lower if rule.name.endswith("handles") else normalise  # handles read an @account's name
    assert rule.wrong_examples(prepared) == []


@pytest.mark.parametrize(("text", "found"), [
    ("@LNER trains from Kings Cross back to normal yet?", Elsewhere(ElsewhereKind.OPERATOR, "@LNER")),
    ("is the Piccadilly line running ok?", Elsewhere(ElsewhereKind.LINE, "Piccadilly line")),
    ("sciopero ATM Milano domani, la M1 va?", Elsewhere(ElsewhereKind.OPERATOR, "ATM Milano")),
    ("are there trains between Leeds and York today?", Elsewhere(ElsewhereKind.PLACE, "Leeds")),
    ("il tram a Torino oggi funziona?", Elsewhere(ElsewhereKind.PLACE, "Torino")),
])
def test_another_network_is_told_with_the_words_as_written(text: str, found: Elsewhere) -> None:
    assert ELSEWHERE.find(text) == found


@pytest.mark.parametrize("text", [
    "is the Rome–Lido train working today? want to go to the beach at Ostia",
    "il treno per Fiumicino aeroporto va?",
    "la FL1 per Orte è in ritardo?",
    "is Trenitalia on strike? my regional train to Orte isn't on the board",
    "the Termini-Centocelle is closed?",
    "flying in from London tomorrow, is there a strike in Rome?",
    "just saying hello from London!",
    "mia cugina viene da Torino, c'è un biglietto da 72 ore?",
    "was soll ich tun, wenn jemand in der U-Bahn ohnmächtig wird?",
])
def test_rome_its_own_railways_and_where_visitors_come_from_are_ours(text: str) -> None:
    assert ELSEWHERE.find(text) is None


def test_the_operators_own_name_is_ours() -> None:
    assert ELSEWHERE.find("is Northern Rail on strike?") is not None
    assert ELSEWHERE.find("is Northern Rail on strike?", ours=("northern rail",)) is None


def test_an_account_of_ours_is_not_another_operator() -> None:
    assert ELSEWHERE.find("@RomaMobilita @sportello_tpl what's going on today?") is None


@pytest.mark.parametrize(("text", "found"), [
    ("@TfLBusAlerts is the 73 diverted today? it's not coming down Oxford St",
     Elsewhere(ElsewhereKind.OPERATOR, "@TfLBusAlerts")),
    ("Bus 38 never showed. Waited 35 minutes @TfLBusAlerts", Elsewhere(ElsewhereKind.OPERATOR, "@TfLBusAlerts")),
    ("@MTA are the 2 and 3 trains running express", Elsewhere(ElsewhereKind.OPERATOR, "@MTA")),
    ("@NJTRANSIT is the 10 late", Elsewhere(ElsewhereKind.OPERATOR, "@NJTRANSIT")),
    ("@buses the 23 just flew past a queue", Elsewhere(ElsewhereKind.OPERATOR, "@buses")),
    ("is the 73 diverted? it's not coming down Oxford St", Elsewhere(ElsewhereKind.PLACE, "Oxford St")),
    ("the 23 flew past a queue of 10 at Green Lane", Elsewhere(ElsewhereKind.PLACE, "Green Lane")),
    ("Is the 16 running tonight? There was a crash on the high street earlier.",
     Elsewhere(ElsewhereKind.PLACE, "high street")),
])
def test_another_operators_account_or_a_foreign_street_tells_another_network_whatever_line_is_named(
    text: str, found: Elsewhere
) -> None:
    assert ELSEWHERE.addressed(text) == found


@pytest.mark.parametrize("text", [
    "@RomaMobilita @TfL the 64 is late again, in London this would never happen",  # addressed to us too
    "@atac_roma il 64 come sta messo stamattina?",
    "@InfoAtacRM @trenitalia il 64 non passa",
    "the 64 to St Peter's, is it running?",  # Saint, not Street
    "is the 64 running? we want high street shops near Termini",  # Rome's Termini named
    "the 64 stops near the high street brands on via del Corso?",  # an adjective
    "going back to London tomorrow, does the 910 run early?",  # a city is not enough beside a line of ours
    "@marco_rm89 the 64 was late for you too?",  # a person's account
])
def test_a_message_addressed_to_us_or_a_city_named_beside_our_line_is_ours(text: str) -> None:
    assert ELSEWHERE.addressed(text) is None


def test_the_operators_name_run_together_is_an_account_of_ours() -> None:
    text = "@NorthernBus @MetroCityCare the 64 is late"
    assert ELSEWHERE.addressed(text) == Elsewhere(ElsewhereKind.OPERATOR, "@NorthernBus")
    assert ELSEWHERE.addressed(text, ours=("metro city",)) is None


def test_a_street_of_another_town_is_another_network_with_no_line_named_too() -> None:
    assert ELSEWHERE.find("road closed on Sauchiehall Street, where does it stop?") == Elsewhere(
        ElsewhereKind.PLACE, "Sauchiehall Street")


def test_a_missing_rule_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text("ours:\n  pattern: roma\n", encoding="utf-8")
    with pytest.raises(RuleError, match="handles"):
        ElsewhereRules.load(path)


def test_a_pattern_that_does_not_compile_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text(ELSEWHERE_FILE.read_text(encoding="utf-8").replace(r"\b(?:tfl|", r"\b(?:(tfl|", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="operators"):
        ElsewhereRules.load(path)
