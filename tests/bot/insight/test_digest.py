"""The daily digest: its content, the file, the e-mail and the Telegram message."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.insight.digest import DigestJob, build_digest, send_email, send_telegram, write_digest
from bot.insight.errors import DigestError
from tests.bot.insight.scenario import NOW, care_day
from tests.bot.insight.servers import smtp_sink, telegram_api


def settings(db_url: str, tmp_path: Path, **reports: object) -> Settings:
    return Settings(storage={"url": db_url},
                    reports={"digest_dir": str(tmp_path / "reports"), "digest_lang": "en", **reports})


def test_digest_lists_top_problems_hot_spots_and_unanswered(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    digest = build_digest(engine, settings(db_url, tmp_path, hot_spot_min_reports=2), now=NOW)
    assert str(digest.day) == "2026-11-23"
    assert (digest.reports.reports, digest.unanswered_from_day, digest.backlog.count) == (4, 1, 1)
    assert [(c.key, c.reports) for c in digest.top_lines] == [("64", 3), ("40", 2)]
    assert [(s.kind, s.key) for s in digest.hot_spots] == [("line", "64"), ("line", "40"), ("stop", "TERMINI")]
    assert "#3 x to review" in digest.text


def test_the_digest_speaks_the_operators_first_language(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    config = Settings(storage={"url": db_url}, reports={"hot_spot_min_reports": 2})
    digest = build_digest(engine, config, now=NOW)
    assert digest.lang == "it" and digest.text.startswith("Sportello TPL: riepilogo del 2026-11-23\n")
    assert "Linee più segnalate\n  64: 3 (" in digest.text
    assert "  linea 64: " in digest.text and "  fermata TERMINI: " in digest.text  # hot spots
    assert "#3 x da rivedere" in digest.text and "awaiting_review" not in digest.text
    english = build_digest(engine, Settings(storage={"url": db_url}, operator={"languages": ["en", "it"]}), now=NOW)
    assert english.lang == "en" and "Top lines" in english.text


def test_digest_names_the_places_water_reports_name(engine: Engine, db_url: str, tmp_path: Path) -> None:
    from tests.bot.insight.test_problems import water_day

    water_day(engine)
    digest = build_digest(engine, settings(db_url, tmp_path, hot_spot_min_reports=2), now=NOW)
    assert [(c.key, c.reports) for c in digest.top_places] == [("street:bari:via-sparano", 2),
                                                               ("service_point:fontanella-12", 1)]
    assert "Top places and service points\n  Via Sparano: 2 (1 without an alert)" in digest.text
    assert "  street Via Sparano: 2" in digest.text  # a new hot spot


def test_a_transit_digest_lists_no_places(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    digest = build_digest(engine, settings(db_url, tmp_path), now=NOW)
    assert digest.top_places == [] and "Top places" not in digest.text


def test_digest_is_written_to_a_dated_file(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    digest = build_digest(engine, settings(db_url, tmp_path), now=NOW)
    path = write_digest(digest, tmp_path / "reports")
    assert path.name == "digest-2026-11-23.txt" and path.read_text(encoding="utf-8") == digest.text


def test_digest_by_email(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    with smtp_sink() as (port, messages):
        config = settings(db_url, tmp_path, digest_email="ops@example.org", smtp_host="127.0.0.1",
                          smtp_port=port, smtp_starttls=False)
        send_email(build_digest(engine, config, now=NOW), config)
    assert len(messages) == 1 and "To: ops@example.org" in messages[0] and "Top lines" in messages[0]


def test_digest_to_a_telegram_chat(engine: Engine, db_url: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    care_day(engine)
    with telegram_api() as (base, received):
        config = Settings(storage={"url": db_url}, reports={"digest_telegram_chat": "-100123"},
                          channels={"telegram": {"base_url": base, "token": "T0KEN"}})
        send_telegram(build_digest(engine, config, now=NOW), config)
    assert received[0]["path"] == "/botT0KEN/sendMessage" and received[0]["chat_id"] == "-100123"
    assert received[0]["text"].startswith("Sportello TPL: riepilogo del 2026-11-23")


def test_telegram_refusal_is_a_digest_error(engine: Engine, db_url: str, tmp_path: Path) -> None:
    with telegram_api(ok=False) as (base, _):
        config = Settings(storage={"url": db_url}, reports={"digest_telegram_chat": "-1"},
                          channels={"telegram": {"base_url": base, "token": "T"}})
        with pytest.raises(DigestError, match="chat not found"):
            send_telegram(build_digest(engine, config, now=NOW), config)


def test_job_writes_the_file_even_when_sending_fails(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    config = settings(db_url, tmp_path, digest_email="ops@example.org", smtp_host="127.0.0.1", smtp_port=1,
                      smtp_starttls=False)
    path = DigestJob(engine, config, clock=lambda: NOW)()
    assert path.exists()
