"""One filter keeps secrets and citizens' personal data out of every log line, whoever logs it.

A whole ``sportello run`` against fake Telegram and X, its log grepped for the tokens; and records of any
logger, arguments and tracebacks included, with tokens, configured secrets, phones, e-mails and tax codes.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import io
from collections.abc import Iterator

from bot import redact
from bot.config import Settings
from bot.domain import utcnow
from tests.bot.channels import fake_telegram, fake_x
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.channels.fake_x import FakeX
from tests.bot.console.live import free_port, wait_until
from tests.conftest import REPO

SECRET_KEY = "web-secret-key-0123456789"
WEBHOOK_SECRET = "hook-secret-abcdef"
BEARER = "AAAAAAAAAAAAAAAAAAAAAbearer-test-0123456789"
SECRETS = (
    fake_telegram.TOKEN, fake_telegram.TOKEN.split(":", 1)[1], BEARER, fake_x.CONSUMER_KEY, fake_x.CONSUMER_SECRET,
    fake_x.ACCESS_TOKEN, fake_x.ACCESS_TOKEN_SECRET, SECRET_KEY,
)


def test_a_full_run_logs_no_token(tmp_path: Path) -> None:
    telegram = FakeTelegram().start()
    x = FakeX(utcnow).start()
    telegram.push("message", telegram.message("il 64 è in ritardo?"))
    port = free_port()
    env = {
        **os.environ,
        "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SPORTELLO_WEB__PORT": str(port),
        "SPORTELLO_SECRET_KEY": SECRET_KEY,
        "SPORTELLO_WEB__SECRET_KEY": SECRET_KEY,
        "TELEGRAM_TOKEN": fake_telegram.TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SPORTELLO_CHANNELS__TELEGRAM__BASE_URL": telegram.base_url,
        "SPORTELLO_CHANNELS__TELEGRAM__POLL_SECONDS": "0.3",
        "SPORTELLO_CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
        "X_BEARER_TOKEN": BEARER,
        "X_CONSUMER_KEY": fake_x.CONSUMER_KEY,
        "X_CONSUMER_SECRET": fake_x.CONSUMER_SECRET,
        "X_ACCESS_TOKEN": fake_x.ACCESS_TOKEN,
        "X_ACCESS_TOKEN_SECRET": fake_x.ACCESS_TOKEN_SECRET,
        "SPORTELLO_CHANNELS__X__BASE_URL": x.base_url,
        "SPORTELLO_CHANNELS__X__POLL_SECONDS": "0.5",
    }
    log_file = tmp_path / "run.log"
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "--verbose", "run"], cwd=REPO, env=env, stdout=out, stderr=out
        )
        try:
            wait_until(lambda: len(telegram.called("getUpdates")) >= 3 and len(x.requests) >= 3, timeout=90)
            wait_until(lambda: telegram.called("sendMessage"), timeout=60)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            telegram.stop()
            x.stop()
    text = log_file.read_text(encoding="utf-8", errors="replace")
    assert "getUpdates" in text and "[redacted]" in text  # httpx did log the URLs, masked
    leaks = {secret: text.count(secret) for secret in SECRETS if secret in text}
    assert leaks == {}


@pytest.fixture
def captured() -> list[str]:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep()
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    redact.install(Settings(web={"secret_key": "s3cret-key-for-tests"}))
    yield lines
    logger.removeHandler(handler)


def test_configured_secrets_and_token_shapes_are_masked_in_any_logger(captured: list[str]) -> None:
    log = logging.getLogger("tests.redaction")
    log.info("GET https://api.telegram.org/bot%s/getMe", "7712345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0")
    log.info("key is %s", "s3cret-key-for-tests")
    log.info("Authorization: Bearer abcdefghijklmnop; password=hunter2hunter2")
    try:
        raise RuntimeError("failed with s3cret-key-for-tests")
    except RuntimeError:
        log.exception("oops")
    joined = "\n".join(captured)
    assert "AAHdqTcvCH1" not in joined and "s3cret-key-for-tests" not in joined
    assert "abcdefghijklmnop" not in joined and "hunter2hunter2" not in joined
    assert joined.count("[redacted]") >= 4 and "/getMe" in joined


def test_uvicorn_access_lines_keep_working(captured: list[str]) -> None:
    from uvicorn.logging import AccessFormatter

    record = logging.getLogger("tests.redaction").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/health?token=abcdefgh123", "1.1", 200), None,
    )
    line = AccessFormatter(use_colors=False).format(record)
    assert "GET /health?token=[redacted]" in line and "200" in line


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    root = logging.getLogger("redaction-test-root")
    root.propagate = False
    root.setLevel(logging.INFO)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root.addHandler(handler)
    redact.install(Settings(web={"secret_key": "s3cret-key-for-tests"}), logger=root)
    yield root, out
    root.removeHandler(handler)


def test_personal_data_in_a_third_party_loggers_arguments_is_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    logging.getLogger("redaction-test-root.httpx").info("stored %r from %s", "cf RSSMRA85T10A562S", "mario.rossi@example.com")
    text = out.getvalue()
    assert "RSSMRA85T10A562S" not in text and "mario.rossi" not in text
    assert "[cf]" in text and "[email]" in text


def test_secrets_and_personal_data_in_one_line_are_both_masked(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    root.info("sent to 333 123 4567 with key %s via /bot%s/sendMessage", "s3cret-key-for-tests",
              "7712345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0")
    text = out.getvalue()
    assert "333 123 4567" not in text and "s3cret-key-for-tests" not in text and "AAHdqTcvCH1" not in text
    assert "[telefono]" in text and text.count("[redacted]") == 2


def test_a_traceback_is_masked_too(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    try:
        raise ValueError("bad row: tel 333 123 4567, password=hunter2hunter2")
    except ValueError:
        root.exception("message %s failed", 12)
    text = out.getvalue()
    assert "333 123 4567" not in text and "hunter2hunter2" not in text
    assert "message 12 failed" in text and "[telefono]" in text


def test_lines_without_secrets_or_personal_data_are_left_as_they_are(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, out = logged
    root.warning("message %s: line %s at %s from %s", 7, "64", "08:30", "127.0.0.1:54321")
    assert out.getvalue() == "redaction-test-root message 7: line 64 at 08:30 from 127.0.0.1:54321\n"


def test_installing_twice_adds_one_filter(logged: tuple[logging.Logger, io.StringIO]) -> None:
    root, _ = logged
    redact.install(logger=root)
    for handler in root.handlers:
        assert sum(1 for f in handler.filters if isinstance(f, redact.RedactingFilter)) == 1
