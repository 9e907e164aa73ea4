"""Tests for knowledge.lines: lines and stops found in citizens' messages, on the real Rome feed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from knowledge.gtfs import GtfsIndex
from knowledge.lines import find_routes
from knowledge.stops import find_stops, normalize

SHARED = Path(os.environ.get("SPORTELLO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
EVAL = SHARED / "eval"


@pytest.fixture(scope="module")
def rome() -> GtfsIndex:
    return GtfsIndex.load(EVAL / "gtfs")


def routes(rome: GtfsIndex, text: str) -> list[str]:
    return find_routes(rome, text)


def stops(rome: GtfsIndex, text: str) -> list[str]:
    return [m.name for m in find_stops(rome, text)]


# ---- routes: how lines are named ---------------------------------------------------------------
@pytest.mark.parametrize("text", ["metro A bloccata", "linea A ok?", "la A è ferma", "MA ferma a Cornelia",
                                  "MEA sospesa", "metropolitana A", "is the A line running?", "#metroA"])
def test_metro_a_aliases(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == ["248"]


@pytest.mark.parametrize(("text", "route"), [("metro B1 sospesa", "305"), ("scendo dalla C", "342"),
                                             ("metro c??", "342"), ("linea B", "249")])
def test_other_metro_lines(rome: GtfsIndex, text: str, route: str) -> None:
    assert routes(rome, text) == [route]


@pytest.mark.parametrize("text", ["tram 8 fermo", "l'8 è pieno", "ritardo del 8", "sul tram n. 8", "#tram8"])
def test_tram_8_by_number(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == ["8"]


@pytest.mark.parametrize("text", ["il 64 salta le corse", "bus 64", "linea 64 deviata", "#64", "col 64 non si arriva"])
def test_bus_64_by_number(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == ["64"]


def test_replacement_bus_route_is_its_own_line(rome: GtfsIndex) -> None:
    assert routes(rome, "8BUS affollato") == ["8BUS"]


@pytest.mark.parametrize("text", ["la navetta dell'8 non arriva", "il bus sostitutivo del tram 8 è in ritardo"])
def test_shuttle_of_a_line_names_that_line(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == ["8"]


def test_shuttle_without_gtfs_route_adds_nothing(rome: GtfsIndex) -> None:
    assert routes(rome, "dove ferma la navetta MA1?") == []


@pytest.mark.parametrize(("text", "route"), [("N5 stanotte", "n5"), ("l'nMA passa?", "nMA"), ("C2 regolare", "C2"),
                                             ("l'H è in ritardo", "H"), ("MC soppresso", "MC")])
def test_lettered_and_night_lines(rome: GtfsIndex, text: str, route: str) -> None:
    assert routes(rome, text) == [route]


def test_several_lines_in_order_without_repeats(rome: GtfsIndex) -> None:
    assert routes(rome, "il 40, il 64 e di nuovo il 40, poi la metro A") == ["40", "64", "248"]


def test_list_after_a_cue_names_every_line(rome: GtfsIndex) -> None:
    assert routes(rome, "deviate le linee 910, 32 e 2") == ["910", "32", "2"]


def test_bare_multi_digit_line_number_counts(rome: GtfsIndex) -> None:
    assert routes(rome, "492 strapieno") == ["492"]


def test_route_short_name_not_route_id_is_matched(rome: GtfsIndex) -> None:
    assert routes(rome, "il 10 è in ritardo") == []  # route_id 10 is line 025


# ---- routes: numbers that are not lines ------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "aspetto da 20 minuti", "fermo da 30 min", "ritardo di 40'", "costa 1,50 €", "ho pagato €1.50", "ho dato 2 euro",
    "passa alle 8?", "alle 8:15 niente", "ore 20 chiuso", "sciopero il 5 dicembre", "sciopero il 5/12",
    "fermata 70340", "siamo 3 persone", "con 2 bambini", "è il 3° giorno", "sconto del 30%", "chiamate lo 06 57003",
    "incidente in via Nazionale 40", "sono 2", "after 8pm", "Dec 8 strike", "on the 6th", "72h pass", "serie A",
    "ma che dici", "C'è il treno?", "MA CHE RITARDO", "verbale n. 123", "biglietto da 100 minuti", "ci vogliono 72 ore",
])
def test_numbers_and_words_that_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


def test_line_and_time_with_the_same_number(rome: GtfsIndex) -> None:
    assert routes(rome, "il 20 alle 20 non c'era") == ["20"]


def test_number_repeated_after_a_duration_stays_a_duration(rome: GtfsIndex) -> None:
    assert routes(rome, "aspetto il 70 da 40 minuti. 40!") == ["70"]


def test_lowercase_a_after_metro_is_a_preposition(rome: GtfsIndex) -> None:
    assert routes(rome, "lavori della metro a piazza Venezia") == []


# ---- stops -----------------------------------------------------------------------------------------
def test_metro_station_name_resolves_to_the_metro_stop(rome: GtfsIndex) -> None:
    assert stops(rome, "sono a Termini") == ["TERMINI (MA-MB-FS)"]


def test_mention_carries_every_stop_id_of_the_name(rome: GtfsIndex) -> None:
    mention = find_stops(rome, "chiusa Ottaviano?")[0]
    assert sorted(mention.stop_ids) == ["72077", "82289", "82350"]


def test_place_word_in_text_matches_abbreviated_name(rome: GtfsIndex) -> None:
    assert stops(rome, "traffico in piazzale Flaminio") == ["P.LE FLAMINIO (MA)"]


def test_place_word_added_by_citizen_is_allowed(rome: GtfsIndex) -> None:
    assert stops(rome, "bloccato a largo Argentina") == ["ARGENTINA"]


def test_name_shared_by_several_stops_picks_the_biggest(rome: GtfsIndex) -> None:
    assert stops(rome, "arrivo a Porta Maggiore") == ["P.ZA DI PORTA MAGGIORE"]


def test_stop_code_after_a_cue_gives_its_stop(rome: GtfsIndex) -> None:
    assert stops(rome, "la palina 70078 è spenta") == ["P.ZA VENEZIA"]


def test_misspelt_station_after_a_preposition(rome: GtfsIndex) -> None:
    assert stops(rome, "scendo a Ottavinao") == ["OTTAVIANO (MA)"]


def test_stops_are_listed_in_text_order(rome: GtfsIndex) -> None:
    assert stops(rome, "from Cipro to Termini") == ["CIPRO (MA-H)", "TERMINI (MA-MB-FS)"]


@pytest.mark.parametrize("text", ["forza Roma", "i termini del rimborso", "il Colosseo apre alle 9?",
                                  "vado in stazione", "via Nazionale chiusa", "treno direzione Laurentina",
                                  "visitare i Musei Vaticani", "la Repubblica di oggi"])
def test_common_words_and_landmarks_are_not_stops(rome: GtfsIndex, text: str) -> None:
    assert stops(rome, text) == []


def test_neighbourhood_without_its_station_word_is_not_a_stop(rome: GtfsIndex) -> None:
    assert stops(rome, "abito a Trastevere") == []


def test_normalize_expands_abbreviations() -> None:
    assert normalize("P.ZA DI PORTA MAGGIORE / Staz.ne S. Pietro") == [
        "piazza", "di", "porta", "maggiore", "stazione", "san", "pietro"]


# ---- against the labelled development set ------------------------------------------------------
@pytest.fixture(scope="module")
def dev() -> list[dict]:
    with (EVAL / "dev.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_route_exact_set_accuracy_on_dev_set(rome: GtfsIndex, dev: list[dict]) -> None:
    right = sum(set(routes(rome, d["text"])) == set(d["routes"]) for d in dev)
    assert right / len(dev) >= 0.95


def test_stop_exact_set_accuracy_on_dev_set(rome: GtfsIndex, dev: list[dict]) -> None:
    right = sum(set(stops(rome, d["text"])) == set(d["stops"]) for d in dev)
    assert right / len(dev) >= 0.9

