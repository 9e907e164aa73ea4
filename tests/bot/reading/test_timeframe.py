"""The time a message asks about, in Rome, relative to the evaluation clock (Friday 27 Nov 2026 08:30)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reading.timeframe import timeframe
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
