"""knowledge/stops.py beyond finding stops (which test_lines.py checks with the lines): what a stop is."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.gtfs import GtfsIndex
from knowledge.stops import find_stops, is_metro_station
from tests.conftest import EVAL


@pytest.fixture(scope="module")
def rome() -> GtfsIndex:
    return GtfsIndex.load(EVAL / "gtfs")


@pytest.mark.parametrize(("name", "metro"), [
    ("BOLOGNA (MB)", True),  # tagged as a station of line B
    ("TERMINI (MA-MB-FS)", True),
    ("MILANO", False),  # a street stop on via Milano
    ("P.ZA VENEZIA", False),
])
def test_a_metro_station_is_told_from_a_street_stop_by_its_tag(rome: GtfsIndex, name: str, metro: bool) -> None:
    assert is_metro_station(rome, name) is metro


def names(rome: GtfsIndex, text: str) -> list[str]:
    return [m.name for m in find_stops(rome, text)]


@pytest.mark.parametrize("text", [
    "alla mia fermata manca il marciapiede, si aspetta in mezzo alla strada",  # EROI DI RODI/MANCA
    "scusate ma oggi va bene la metro? fermata bene",  # BENE/LIONELLO, in lower case
    "il tram è pieno, testa contro il vetro alla fermata testa",
])
def test_an_everyday_word_in_lower_case_is_not_a_stop_even_after_a_stop_word(rome: GtfsIndex, text: str) -> None:
    assert names(rome, text) == []


def test_an_everyday_word_capitalised_after_a_stop_word_is_still_a_stop(rome: GtfsIndex) -> None:
    assert names(rome, "il 90 non si è fermato alla fermata Manca") == ["EROI DI RODI/MANCA"]


def test_a_word_telling_a_station_state_is_never_a_stop_name(rome: GtfsIndex) -> None:
    # CHIUSI is a stop too; here the word says the toilets are closed
    assert names(rome, "bagni della stazione Termini metro chiusi o indecenti") == ["TERMINI (MA-MB-FS)"]


def test_a_stop_word_past_a_comma_says_nothing_of_the_word_before(rome: GtfsIndex) -> None:
    assert names(rome, "io no capito bene, metro B oggi funziona? devo andare Laurentina") == ["LAURENTINA (MB)"]
    assert names(rome, "Lepanto metro chiusa?") == ["LEPANTO (MA)"]


def test_a_misspelt_station_keeps_its_first_letter(rome: GtfsIndex) -> None:
    assert names(rome, "si è fatta male al ginocchio scendendo") == []  # not Finocchio
    assert names(rome, "devo andare a Ottavinao") == ["OTTAVIANO (MA)"]


def test_a_metro_station_after_del_is_named(rome: GtfsIndex) -> None:
    assert names(rome, "scusate l'ascensore del colosseo è ancora rotto?") == ["COLOSSEO (MB)"]


@pytest.mark.parametrize("text", [
    "sono una turista dalla Spagna, come compro il biglietto?",
    "sono appena tornato dall'America, la metro B funziona?",
    "nella Libia di oggi non ci sono autobus così sporchi",
    "mio figlio studia nella Cina del nord e dice che là i bus passano ogni 5 minuti",
])
def test_a_country_after_an_articled_preposition_is_the_country_not_a_stop(rome: GtfsIndex, text: str) -> None:
    assert names(rome, text) == []


@pytest.mark.parametrize(("text", "stop"), [
    ("la metro a Spagna è aperta?", "SPAGNA (MA)"),
    ("scendo a Libia, l'ascensore funziona?", "LIBIA (MB1)"),
    ("dalla fermata Spagna come arrivo a Termini?", "SPAGNA (MA)"),  # a cue word right before: the stop
    ("la metro B a America è ferma?", "AMERICA (MB)"),
    ("Da liegt jemand auf den Gleisen in Cipro, der nächste Zug kommt gleich", "CIPRO (MA-H)"),  # German "in": at
])
def test_a_station_bearing_a_countrys_name_is_still_named_without_an_article(rome: GtfsIndex, text: str,
                                                                              stop: str) -> None:
    assert names(rome, text)[0] == stop


@pytest.mark.parametrize("text", [
    "Nimmt die Straßenbahn 8 heute nach Casaletto?",  # German
    "¿Hay un autobús hasta Casaletto esta noche?",  # Spanish
    "o bonde 8 vai até Casaletto amanhã?",  # Portuguese
])
def test_a_street_stop_after_a_tourists_preposition_of_place_is_named(rome: GtfsIndex, text: str) -> None:
    assert names(rome, text) == ["GIANICOLENSE/CASALETTO"]


@pytest.mark.parametrize(("text", "stop"), [
    ("metro C pigneto, un uomo minaccia chi passa", "PIGNETO (MC)"),
    ("ascensore metro b colosseo ancora rotto?", "COLOSSEO (MB)"),
])
def test_a_station_after_a_metro_line_letter_is_named(rome: GtfsIndex, text: str, stop: str) -> None:
    assert names(rome, text) == [stop]


@pytest.mark.parametrize(("text", "stop"), [
    ("今天Ottaviano站开吗？想去梵蒂冈", "OTTAVIANO (MA)"),
    ("有个人掉到Colosseo站的轨道上了", "COLOSSEO (MB)"),
    ("трамвай 8 їде до Casaletto сьогодні?", "GIANICOLENSE/CASALETTO"),
])
def test_a_latin_name_in_a_message_in_another_script_is_a_stop(rome: GtfsIndex, text: str, stop: str) -> None:
    assert names(rome, text) == [stop]


ROME_NAMES = Path(__file__).resolve().parents[2] / "examples" / "rome" / "stop_names.txt"


@pytest.fixture(scope="module")
def rome_named() -> GtfsIndex:
    return GtfsIndex.load(EVAL / "gtfs", translations=ROME_NAMES)


@pytest.mark.parametrize(("text", "stop"), [
    ("l'ascenseur du Colisée ne marche pas, avec une poussette c'est l'enfer", "COLOSSEO (MB)"),
    ("funciona el ascensor del metro en el Coliseo?", "COLOSSEO (MB)"),
    ("is the lift at the Colosseum metro working?", "COLOSSEO (MB)"),
    ("we're meeting at the Spanish Steps, which metro?", "SPAGNA (MA)"),
    ("هل الباص 64 متأخر الآن؟ أنا في محطة تيرميني", "TERMINI (MA-MB-FS)"),
    ("метро A сегодня доезжает до Оттавиано?", "OTTAVIANO (MA)"),
    ("Вагітна жінка в метро B, ми під'їжджаємо до Колізею", "COLOSSEO (MB)"),  # a case of Колізей
    ("今日、地下鉄A線はオッタヴィアーノまで運行していますか？", "OTTAVIANO (MA)"),
    ("지금 메트로 A선 레푸블리카역 승강장에 할아버지 한 분이 쓰러지셨는데", "REPUBBLICA (MA)"),
    ("अजनबी आदमी कोलोसेओ स्टेशन पर गिर गया है", "COLOSSEO (MB)"),
])
def test_a_station_named_in_another_language_is_found(rome_named: GtfsIndex, text: str, stop: str) -> None:
    assert [m.name for m in find_stops(rome_named, text)] == [stop]


@pytest.mark.parametrize("text", [
    "إسبانيا جميلة في الصيف",  # Spain; only «ساحة إسبانيا» is the square
    "best pizza near the Colosseum?",  # the monument: no word about getting around
    "饿死了，斗兽场附近有什么好吃的？",
    "πεθαίνω της πείνας, πού να φάω κοντά στο Κολοσσαίο;",
    "Дотерминированный процесс",  # Термин inside another word
])
def test_a_translated_name_inside_other_words_or_about_the_place_is_not_a_station(rome_named: GtfsIndex, text: str) -> None:
    assert [m.name for m in find_stops(rome_named, text)] == []


def test_without_translations_a_name_in_another_script_is_not_found(rome: GtfsIndex) -> None:
    assert find_stops(rome, "метро A сегодня доезжает до Оттавиано?") == []


def test_the_sample_feed_names_its_stations_for_tourists() -> None:
    sample = GtfsIndex.load(Path(__file__).resolve().parents[2] / "knowledge" / "sample" / "gtfs")
    assert [m.name for m in find_stops(sample, "l'ascenseur du Colisée est en panne?")] == ["COLOSSEO (MB)"]


def test_a_street_stop_in_lower_case_after_a_place_word_is_named_in_a_message_about_getting_around(
    rome: GtfsIndex,
) -> None:
    assert names(rome, "domani il tram 8 va fino a casaletto o sempre bus?") == ["GIANICOLENSE/CASALETTO"]
    assert names(rome, "sabato vado a casaletto da mia sorella") == []  # no word about getting around
