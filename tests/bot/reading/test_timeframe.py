"""The time a message asks about, in Rome, relative to the evaluation clock (Friday 27 Nov 2026 08:30)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reading.timeframe import TimeWords, timeframe
from tests.conftest import EVAL_NOW

ROME = ZoneInfo("Europe/Rome")


def _local(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ROME)


def test_no_time_named_means_now() -> None:
    when = timeframe("il 62 è in ritardo?", EVAL_NOW)
    assert when.is_now and when.start == EVAL_NOW


def test_a_weekday_is_its_next_occurrence_as_a_whole_day() -> None:
    when = timeframe("domenica il museo è aperto?", EVAL_NOW)
    assert (when.start, when.end) == (_local(29), _local(30))


def test_a_day_of_the_month_alone_is_the_next_such_date() -> None:
    when = timeframe("ma il 5 ci sono i mezzi?", EVAL_NOW)
    assert (when.start, when.end) == (_local(5, month=12), _local(6, month=12))


def test_a_line_number_after_il_is_not_a_date() -> None:
    assert timeframe("il 30 passa?", EVAL_NOW, lines=frozenset({"30"})).is_now


def test_tonight_is_this_evening() -> None:
    when = timeframe("is the night bus running tonight?", EVAL_NOW)
    assert (when.start, when.end) == (_local(27, 18), _local(28))


def test_tomorrow_morning_is_the_morning_of_saturday() -> None:
    when = timeframe("domani mattina la metro c'è?", EVAL_NOW)
    assert (when.start, when.end) == (_local(28, 5), _local(28, 12))


def test_after_an_hour_narrows_the_day() -> None:
    when = timeframe("sabato dopo le 21 il tram 8 passa?", EVAL_NOW)
    assert (when.start, when.end) == (_local(28, 21), _local(29))


def test_two_dates_make_one_window_spanning_both() -> None:
    when = timeframe("we are in Rome from December 3 to the 6th", EVAL_NOW)
    assert (when.start, when.end) == (_local(3, month=12), _local(7, month=12))


def test_the_weekend_is_saturday_and_sunday() -> None:
    when = timeframe("questo weekend la A funziona?", EVAL_NOW)
    assert (when.start, when.end) == (_local(28), _local(30))


def test_a_fixed_holiday_named_without_a_date_is_its_next_day() -> None:
    for text, month, day in (
        ("Is the Rome metro running on Christmas Day?", 12, 25), ("a Natale i bus girano?", 12, 25),
        ("Santo Stefano la metro c'è?", 12, 26), ("buses on Boxing Day?", 12, 26),
        ("will there be trains after midnight on NYE?", 12, 31), ("a San Silvestro la metro?", 12, 31),
        ("buses on New Year's Eve?", 12, 31), ("a Capodanno il 492 passa?", 1, 1),
        ("New Year's Day metro hours?", 1, 1), ("la Befana i mezzi girano?", 1, 6),
        ("all'Immacolata la metro è aperta?", 12, 8), ("a Ferragosto il 64 passa?", 8, 15),
        ("il primo maggio ci sono i bus?", 5, 1), ("festa della Repubblica, il tram 8 va?", 6, 2),
    ):
        when = timeframe(text, EVAL_NOW)
        year = 2027 if month < 11 else 2026
        assert (when.start, when.end) == (datetime(year, month, day, tzinfo=ROME),
                                          datetime(year, month, day, tzinfo=ROME) + (_local(2) - _local(1))), text


def test_the_evening_of_a_holiday_is_its_evening() -> None:
    when = timeframe("la sera del 31 dicembre la metro va tutta la notte?", EVAL_NOW)
    assert (when.start, when.end) == (_local(31, 18, month=12), datetime(2027, 1, 1, tzinfo=ROME))


def test_the_8th_of_december_in_every_written_form_is_that_day() -> None:
    for text in ("will the metro be open on 8 December? holiday", "l'8 dicembre la metro è aperta?",
                 "the 8th of December", "December 8, metro open?", "l'8/12 la metro va?"):
        when = timeframe(text, EVAL_NOW)
        assert (when.start, when.end) == (_local(8, month=12), _local(9, month=12)), text


def test_a_holiday_word_that_names_no_day_is_not_a_date() -> None:
    for text in ("i mercatini di Natale a piazza Navona, che bus?", "the Christmas market bus", "babbo natale in metro",
                 "via di Santo Stefano Rotondo, che bus passa?", "may I ask if the 64 runs?", "happy new year"):
        assert timeframe(text, EVAL_NOW).is_now, text


# Days and times of other languages and scripts (bot/reading/timewords.yaml): each entry reads as its English.
_WORDS = TimeWords.load()
# How an entry of each kind is put in a message, so that it names a time alone.
_SAYING = {"days": "{}", "weekdays": "{}", "months": "5 {}", "parts": "sunday {}", "tonight": "{}", "weekend": "{}"}


def _window(text: str) -> tuple[datetime, datetime | None]:
    when = timeframe(text, EVAL_NOW)
    return when.start, when.end


def _latin_entries() -> list[tuple[str, str, str]]:
    return [(kind, word, english) for kind, words in _WORDS.latin.items() if kind in _SAYING
            for word, english in words.items()]


def _script_entries() -> list[tuple[str, str, str]]:
    """Each pattern's first spelling (patterns with figures are tested by whole messages below)."""
    entries = []
    for kind, patterns in _WORDS.scripts.items():
        for pattern, english in patterns.items():
            if kind in _SAYING and "\\d" not in pattern:
                entries.append((kind, pattern.split("|")[0].replace("\\.", "."), english.strip()))
    return entries


@pytest.mark.parametrize(("kind", "word", "english"), _latin_entries() + _script_entries())
def test_a_time_word_of_another_language_reads_as_its_english(kind: str, word: str, english: str) -> None:
    saying = _SAYING[kind]
    assert _window(saying.format(word)) == _window(saying.format(english))
    assert not timeframe(saying.format(word), EVAL_NOW).is_now or english in ("today", "this morning")


def test_a_weekday_joined_to_a_part_of_the_day_is_that_part() -> None:
    for text in ("fährt die Tram 2 am Sonntagabend normal?", "rijdt tram 2 zondagavond?"):
        assert _window(text) == (_local(29, 18), _local(30)), text
    assert _window("Samstagnachmittag U-Bahn?") == (_local(28, 12), _local(28, 18))


@pytest.mark.parametrize(("text", "start", "end"), [
    ("est-ce que le métro C fonctionne normalement ce soir ?", _local(27, 18), _local(28)),
    ("dimanche soir après le match, le tram 2 circule normalement?", _local(29, 18), _local(30)),
    ("no sábado dia 5 o ônibus 64 vai funcionar com a greve?", _local(5, month=12), _local(6, month=12)),
    ("el 5 de diciembre hay huelga?", _local(5, month=12), _local(6, month=12)),
    ("¿mañana por la mañana funciona el metro?", _local(28, 5), _local(28, 12)),
    ("demain matin le métro A?", _local(28, 5), _local(28, 12)),
    ("morgen früh die U-Bahn?", _local(28, 5), _local(28, 12)),
    ("amanhã o metro funciona?", _local(28), _local(29)),
    ("jutro rano metro działa?", _local(28, 5), _local(28, 12)),
    ("am Samstag, den 5. Dezember, fährt die Metro?", _local(5, month=12), _local(6, month=12)),
    ("ce week-end le tram 8 circule?", _local(28), _local(30)),
    ("هل يوجد إضراب للمواصلات يوم السبت 5 ديسمبر؟", _local(5, month=12), _local(6, month=12)),
    ("12月5号罢工吗？地铁早上开不开？", _local(5, 5, month=12), _local(5, 12, month=12)),
    ("12월 5일 지하철 운행하나요?", _local(5, month=12), _local(6, month=12)),
    ("วันเสาร์ที่ 5 ธันวาคม รถไฟใต้ดินวิ่งไหมคะ", _local(5, month=12), _local(6, month=12)),
    ("Чи буде страйк у суботу 5 грудня? Метро працюватиме?", _local(5, month=12), _local(6, month=12)),
    ("明天地铁A线开吗？", _local(28), _local(29)),
    ("今夜、トラム8は走っていますか？", _local(27, 18), _local(28)),
])
def test_a_day_written_in_another_language_or_script_is_that_day(text: str, start: datetime, end: datetime) -> None:
    assert _window(text) == (start, end)


def test_words_of_other_languages_that_are_greetings_or_italian_name_no_time() -> None:
    for text in ("Guten Morgen, fährt die U-Bahn?", "buenos días, el metro funciona?", "bom dia, o 64 passa?",
                 "il 64 ha le porte rotte", "llego tarde, el 64 no pasa"):
        assert timeframe(text, EVAL_NOW).is_now, text
    assert _window("dopo le 18 il 64 passa?") == (EVAL_NOW, None)


def test_the_time_asked_ends_with_its_window_or_for_now_at_the_end_of_today() -> None:
    rome = ZoneInfo("Europe/Rome")
    now = datetime(2026, 11, 27, 23, 30, tzinfo=rome)
    assert timeframe("il 64 passa?", now).until() == datetime(2026, 11, 28, 0, 0, tzinfo=rome)
    sunday = timeframe("il 910 domenica è deviato?", now)
    assert sunday.until() == sunday.end == datetime(2026, 11, 30, 0, 0, tzinfo=rome)
