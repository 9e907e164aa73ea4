"""How replies name a window of time asked about, in the operator's time zone."""

from __future__ import annotations

from datetime import datetime

import pytest
from zoneinfo import ZoneInfo

from handlers.text import period_asked

ROME = ZoneInfo("Europe/Rome")


def rome(day: int, hour: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ROME)


@pytest.mark.parametrize(("start", "end", "lang", "said"), [
    (rome(29), rome(30), "it", "domenica 29/11"),
    (rome(29), rome(30), "en", "Sunday 29/11"),
    (rome(27, 18), rome(28), "it", "venerdì 27/11 dalle 18:00 alle 24:00"),
    (rome(27, 18), rome(27, 21), "en", "Friday 27/11 from 18:00 to 21:00"),
    (rome(29), rome(2, month=12), "it", "dal 29/11 al 01/12"),
    (rome(27, 18), rome(28, 6), "en", "from 27/11 18:00 to 28/11 06:00"),
])
def test_a_window_is_named_as_a_citizen_would_say_it(start: datetime, end: datetime, lang: str, said: str) -> None:
    assert period_asked(start, end, "Europe/Rome", lang) == said


def test_the_window_is_read_in_the_operators_time_zone() -> None:
    utc = ZoneInfo("UTC")
    assert period_asked(datetime(2026, 11, 28, 23, tzinfo=utc), datetime(2026, 11, 29, 23, tzinfo=utc),
                        "Europe/Rome", "it") == "domenica 29/11"
