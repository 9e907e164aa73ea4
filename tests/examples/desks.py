"""An example's desk as shipped, on a SQLite file of its own, its clock stopped at the examples' moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from bot.app import Application
from bot.config import PACKAGE_ROOT, StorageSettings, load_settings

#: the moment every example's data is read at
NOW = datetime.fromisoformat("2026-12-03T11:00:00+01:00")


def example_config(name: str) -> Path:
    """The configuration file of ``examples/<name>``."""
    return PACKAGE_ROOT / "examples" / name / "config.yaml"


def example_app(name: str, tmp_path: Path, *, workers: int = 0) -> Iterator[Application]:
    """Yield the application of ``examples/<name>`` with ``workers`` worker threads, no web server."""
    settings = load_settings(example_config(name))
    settings = settings.model_copy(update={"storage": StorageSettings(url=f"sqlite:///{tmp_path / f'{name}.db'}")})
    application = Application(settings, workers=workers, web=False, clock=lambda: NOW)
    yield application
    application.engine.dispose()
