"""Secrets never logged: a whole ``sportello run`` against fake Telegram and X, logs grepped for the tokens."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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
