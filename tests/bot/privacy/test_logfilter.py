"""Citizens' personal data never reaches a log line, whoever logs it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.privacy.logfilter import install


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    root = logging.getLogger("privacy-test-root")
    root.propagate = False
    root.setLevel(logging.INFO)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root.addHandler(handler)
    install(root)
    yield root, out
    root.removeHandler(handler)


def test_arguments_of_a_third_party_logger_are_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    logging.getLogger("privacy-test-root.httpx").info("stored %r from %s", "cf RSSMRA85T10A562S", "mario.rossi@example.com")
    text = out.getvalue()
    assert "RSSMRA85T10A562S" not in text and "mario.rossi" not in text
    assert "[cf]" in text and "[email]" in text


def test_a_traceback_is_masked_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    try:
        raise ValueError("bad row: tel 333 123 4567")
    except ValueError:
        root.exception("message %s failed", 12)
    text = out.getvalue()
    assert "333 123 4567" not in text
    assert "message 12 failed" in text and "[telefono]" in text


def test_lines_without_personal_data_are_left_as_they_are(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    root.warning("message %s: line %s at %s", 7, "64", "08:30")
    assert out.getvalue() == "privacy-test-root message 7: line 64 at 08:30\n"


def test_installing_twice_adds_one_filter(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, _ = logged
    install(root)
    for handler in root.handlers:
        assert sum(1 for f in handler.filters if type(f).__name__ == "PersonalDataFilter") == 1
