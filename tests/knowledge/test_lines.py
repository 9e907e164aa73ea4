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


# ---- routes: ages, documents and elapsed time are not lines -----------------------------------------
@pytest.mark.parametrize("text", [
    "Grazie, Pietro (anni 81)", "mio nonno, 81 anni, non riesce a salire", "Grazie, Pietro (81)", "un 81enne caduto",
    "my dad is 85 and uses a walker", "I'm 23 and at uni, is there a cheaper pass?", "my 80-year-old mum nearly fell",
    "aged 81, I need help with the stairs", "he is 81 years old", "Mein Vater ist 90 und braucht Hilfe",
])
def test_ages_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Il 719 svolge regolare servizio oggi? Grazie, Pietro (anni 81)", ["719"]),
    ("il 81 per il signore di 80 anni", ["81"]),
    ("the 64 driver pulled away before my 80-year-old mum sat down", ["64"]),
    ("is the 81 running? my dad is 85", ["81"]),
])
def test_line_beside_an_age_is_still_found(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", [
    "@RomaMobilita I'm an Erasmus student at Sapienza, 23, any student pass?", "Erasmus student here, 23, any pass?",
    "mia nonna, 85, non riesce a salire sul bus", "my grandma (85) fell on the bus", "my mum, 70, can't climb the steps",
    "student (23) any pass?",
])
def test_a_number_set_off_by_commas_or_brackets_after_a_person_is_an_age(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("I'm at Termini, 64, nothing for 30 minutes", ["64"]),  # a place, not a person, before it
    ("my son takes the bus, 64, every day", ["64"]),  # a vehicle between the person and the number
    ("students say the 64, 70, 40 are always late", ["64", "70", "40"]),  # a list of lines
    ("my son, 64, 70 and 40 all late", ["64", "70", "40"]),
])
def test_a_line_set_off_by_commas_is_still_found(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", ["until 23 is the metro open?", "till 23 on Saturdays?",
                                  "Wir kommen am 30. an, ist die Station offen?"])
def test_the_end_of_a_time_or_a_date_is_not_a_line(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize("text", [
    "la fattura n. 118 non è pagata", "the app says error 500", "1 hour 20 to get home", "it's been 38",
    "60+ stairs at Cavour", "20 past, 25 past, nothing", "19:40 delayed 30", "abbiamo chiamato il 118",
    "sciopero il 5 set", "a 30-minute wait", "the board says 2 min and it turns into 20",
])
def test_documents_and_elapsed_time_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("il 118 è in ritardo", ["118"]), ("l'arrivo del 64 è previsto alle 8", ["64"]),
    ("heating on the 63 set to tropical", ["63"]), ("il 64 m'ha ammazzato", ["64"]),
    ("couldn't get on two 62s in a row", ["62"]),
])
def test_lines_next_to_look_alike_words(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ждали 70-й автобус 40 минут", ["70"]), ("sul tram 30 gradi dentro", []),
    ("into the metro 40 minutes later", []),
])
def test_a_measure_after_a_vehicle_and_a_number_is_not_a_line(rome: GtfsIndex, text: str,
                                                              expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("il bus 64 ore 8 non è passato", ["64"]), ("tram 8 fermo", ["8"]), ("the bus 64's driver", ["64"]),
])
def test_a_vehicle_and_a_number_with_no_measure_after_stay_a_line(rome: GtfsIndex, text: str,
                                                                   expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("metro a ritardi?", ["248"]), ("metro a sciopero domani?", ["248"]),
    ("buongiorno metro a metro b metro c come stanno oggi", ["248", "249", "342"]),
    ("is the blue line (metro B) ok this morning?", ["249"]),
])
def test_metro_letters_asked_about_listed_or_in_brackets(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", ["vado in metro a Termini", "sono a TERMINI (MA-MB-FS)"])
def test_the_preposition_and_a_station_tag_are_still_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("60 x piazza venezia oggi ci arriva?", ["60"]), ("il 60 x piazza venezia?", ["60"]),
    ("8 per Casaletto va?", ["8"]), ("8 da stazione trastevere a venezia va?", ["8"]),
])
def test_x_for_per_and_a_one_digit_line_opening_a_question(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", ["3 x 2 biglietti", "biglietti 3x2", "2 in fila ma nessuno passa", "8 euro?"])
def test_a_product_and_a_count_opening_a_message_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("the 913's engine is so loud", ["913"]), ("metro A + B both running?", ["248", "249"]),
    ("aspettato 20' alla fermata del 64", ["64"]),
])
def test_a_possessive_and_a_plus_between_metro_letters(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


# ---- routes: letters without a cue -------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("H bus running ok?", ["H"]), ("@InfoAtac H regolare?", ["H"]), ("grazie all'autista dell'h", ["H"]),
    ("A per Anagnina regolare?", ["248"]), ("A e B domenica sono aperte?", ["248", "249"]),
    ("B per Laurentina tutto ok?", ["249"]), ("B1 funziona fino a Jonio?", ["305"]),
    ("stazione san giovanni linea c", ["342"]),
])
def test_letters_named_without_a_cue(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", ["A Termini c'è folla", "corso di inglese livello B1", "C. Rossi ha scritto",
                                  "linea a singhiozzo"])
def test_letters_that_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Will the metro A stations be reopened by Sunday? our B&B is near Ottaviano", ["248"]),
    ("il nostro B&B è vicino a Termini, la A funziona?", ["248"]), ("metro A & B ok?", ["248", "249"]),
])
def test_a_letter_joined_to_itself_by_an_ampersand_is_a_bed_and_breakfast(rome: GtfsIndex, text: str,
                                                                          expected: list[str]) -> None:
    assert routes(rome, text) == expected


# ---- routes: other languages -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("la línea A del metro funciona?", ["248"]), ("le métro B est sale", ["249"]), ("el tranvía 8 va hoy?", ["8"]),
    ("o bonde 8 está funcionando?", ["8"]), ("tramvaiul 8 circulă azi?", ["8"]), ("Im 64er ist es heiß", ["64"]),
    ("Метро А сегодня работает?", ["248"]), ("В автобусе 170 мужчина потерял сознание", ["170"]),
    ("64路太挤了", ["64"]), ("64番のバスは今遅れていますか？", ["64"]), ("170번 버스 안에서", ["170"]),
    ("今天地铁C线正常吗", ["342"]), ("B선 선로에 사람이", ["249"]), ("বাস ৭১ এ দুইজন", ["71"]),
    ("اتوبوس ۱۷۰ شلوغه", ["170"]), ("on étouffe dans le 64", ["64"]), ("هل المترو C شغال اليوم؟", ["342"]),
])
def test_lines_named_in_other_languages(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", [
    "llevo 40 minutos esperando", "schon wieder 30 Minuten gewartet", "жду уже 40 минут", "ein 72-Stunden-Ticket",
    "aștept de 30 de minute", "die 40er Jahre", "pase de 72 horas", "أنتظر منذ ٤٠ دقيقة",
    "sono le 7 e il bus non passa",
])
def test_durations_in_other_languages_are_not_lines(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


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



@pytest.mark.parametrize("text", ["IL 64 NON PASSA DA 40 MINUTI", "il 64 passa?", "", "metro A chiusa a Ottaviano",
                                  "৬৪ bus", "tram8 e metroA"])
def test_a_text_is_tokenized_once_for_both_finders_with_the_same_tokens(text: str) -> None:
    from knowledge.lines import _shouting, read_tokens, tokenize

    assert read_tokens(text) == (tuple(tokenize(text)), _shouting(text))
    assert read_tokens(text) is read_tokens(text)  # the stop finder reads what the route finder read


def test_a_glued_cue_is_still_read_once_words_without_one_are_skipped(rome: GtfsIndex) -> None:
    assert routes(rome, "il tram8 passa?") == routes(rome, "il tram 8 passa?")
    assert routes(rome, "trambusto in centro") == []


# ---- routes: cues read in the reader's errors of 2026-12-05 (alerts15) ---------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("metro a funziona stamattina?", ["248"]),  # a lower-case «a» with a verb after it: the line
    ("is metro a running this morning", ["248"]),
    ("la 8 per Casaletto passa?", ["8"]),  # «la» (linea) before a number
    ("il 62 ora dove si trova?", ["62"]),  # «ora» after an article: now, not one hour
    ("¿el 64 pasa por Termini?", ["64"]),  # the Spanish article
    ("#lineaH tutto regolare?", ["H"]),  # a hashtag naming a one-letter line
    ("when is the next 913 due?", ["913"]), ("l'ultimo 64 a che ora parte?", ["64"]),  # order words after an article
    ("A va fino a Battistini?", ["248"]),  # an opening «A» with a verb after it
    ("sulla b1 e sulla b tutto ok?", ["305", "249"]),  # lower-case b after an Italian feminine article
])
def test_lines_named_with_the_cues_of_everyday_writing(rome: GtfsIndex, text: str, expected: list[str]) -> None:
    assert routes(rome, text) == expected


@pytest.mark.parametrize("text", [
    "la metro a Bologna è nuova?",  # a lower-case «a» before a place stays a preposition
    "el 5 de diciembre hay huelga?",  # a day and its month
    "aspetto da 1 ora", "the c is for coffee", "ci vediamo alle 8",
    "il giorno 14 c'è sciopero?", "o bilhete vale do dia 2 ao 31?",  # a day named as a day, and a range of days
    "Alla c.a. del responsabile",  # an abbreviation after a feminine article
])
def test_the_same_cues_leave_other_numbers_and_letters_alone(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []


def test_every_name_a_line_is_found_by_is_among_the_names_a_word_is_checked_against(rome: GtfsIndex) -> None:
    from knowledge.lines import route_finder

    finder = route_finder(rome)
    for names in (finder.exact, finder.folded, finder.letters, finder.metro, finder.metro_codes):
        assert {name.upper() for name in names} <= finder.names_upper
    assert "PASSA" not in finder.names_upper
    assert routes(rome, "#metroA") == routes(rome, "metroA") == routes(rome, "metro A")


# ---- scripts with vowel signs, scripts without spaces, suffixes -------------------------------------------------
@pytest.mark.parametrize(("text", "route"), [
    ("আজ মেট্রো B কি ঠিকমতো চলছে?", "249"),  # Bengali: the vowel sign belongs to the word «metro»
    ("क्या आज मेट्रो B चल रही है?", "249"),
    ("ट्राम 8 के अंदर से धुआं निकल रहा है", "8"),
    ("รถเมล์ 64 ร้อนจนจะเป็นลมแล้ว", "64"),  # Thai: «bus» ends a run of words written together
    ("มีควันออกมาจากใต้ที่นั่งในรถไฟใต้ดินสาย A ตอนนี้", "248"),
    ("እርዳታ! በሜትሮ B ባቡር ውስጥ አንድ ሰው ወድቆ", "249"),
    ("Metro A'da Repubblica durağında bir kadın bayıldı", "248"),  # Turkish: «on metro A»
])
def test_a_line_named_in_a_script_with_vowel_signs_or_without_spaces(rome: GtfsIndex, text: str, route: str) -> None:
    assert routes(rome, text) == [route]


@pytest.mark.parametrize("text", ["sulla metro c'è un guasto", "METRO C'È UN GUASTO", "ho visto 8 persone",
                                  "ในร้าน 8 คน"])
def test_an_elision_or_a_count_is_still_not_a_line(rome: GtfsIndex, text: str) -> None:
    assert routes(rome, text) == []
