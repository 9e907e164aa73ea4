"""Every shipped example's config builds the whole application (storage, knowledge, desk, channels off)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Application
from bot.config import PACKAGE_ROOT, StorageSettings, load_settings

EXAMPLES = sorted((PACKAGE_ROOT / "examples").glob("*/config.yaml"))


def test_the_examples_are_the_three_deployments() -> None:
    assert [p.parent.name for p in EXAMPLES] == ["city", "waste", "water"]


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_application_builds_from_the_example(config: Path, tmp_path: Path) -> None:
    settings = load_settings(config)
    settings = settings.model_copy(update={"storage": StorageSettings(url=f"sqlite:///{tmp_path / 'x.db'}")})
    app = Application(settings, workers=0, web=False)
    try:
        expected = list(settings.services) or [settings.knowledge.domain]
        assert list(app.desk.services) == expected
        assert app.health()["knowledge"]
    finally:
        app.engine.dispose()
