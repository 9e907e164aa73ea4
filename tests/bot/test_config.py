"""Settings: YAML, environment overrides, secrets from the environment, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from tests.conftest import REPO


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_config_loads() -> None:
    settings = load_settings(REPO / "config.yaml")
    assert settings.web.port == 8080
    assert settings.storage.url.startswith("sqlite:///")
    assert Path(settings.knowledge.gtfs).is_dir()


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_STORAGE__URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("SPORTELLO_WEB__PORT", "9001")
    settings = load_settings(_write(tmp_path, "web:\n  port: 8081\n"))
    assert settings.storage.url == "postgresql+psycopg://u@h/db"
    assert settings.web.port == 9001


def test_nested_channel_setting_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_CHANNELS__TELEGRAM__BASE_URL", "http://127.0.0.1:9000/bot")
    settings = load_settings(_write(tmp_path, "{}\n"))
    assert settings.channels.telegram.base_url == "http://127.0.0.1:9000/bot"


def test_secret_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TG_TOKEN", "123:abc")
    settings = load_settings(_write(tmp_path, "channels:\n  telegram:\n    token: ${MY_TG_TOKEN}\n"))
    assert settings.channels.telegram.token == "123:abc"


def test_unset_secret_becomes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    settings = load_settings(_write(tmp_path, "channels:\n  telegram:\n    token: ${NOT_SET_ANYWHERE}\n"))
    assert settings.channels.telegram.token is None


def test_literal_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"channels\.telegram\.token: secrets are read from the environment"):
        load_settings(_write(tmp_path, "channels:\n  telegram:\n    token: 123:abc\n"))


def test_wrong_type_names_the_key_and_the_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"web\.port: .*integer.*'eighty'"):
        load_settings(_write(tmp_path, "web:\n  port: eighty\n"))


def test_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"storage\.uri: unknown key; known keys here: echo, url"):
        load_settings(_write(tmp_path, "storage:\n  uri: sqlite:///x.db\n"))


def test_unknown_channel_lists_the_known_channels(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"channels\.whatsapp: unknown key; known keys here: telegram, web, x"):
        load_settings(_write(tmp_path, "channels:\n  whatsapp:\n    enabled: true\n"))


def test_unsupported_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"storage\.url: .*sqlite:/// or postgresql"):
        load_settings(_write(tmp_path, "storage:\n  url: mysql://x\n"))


def test_broken_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(_write(tmp_path, "web: [unclosed\n"))


def test_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config"):
        load_settings(tmp_path / "nope.yaml")


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, "knowledge:\n  gtfs: data/gtfs\n"))
    assert settings.knowledge.gtfs == str(tmp_path / "data" / "gtfs")


def test_the_readme_names_every_setting() -> None:
    from pydantic import BaseModel

    from bot.config import Settings

    readme = (REPO / "README.md").read_text(encoding="utf-8")

    def keys(model: type[BaseModel], prefix: str) -> list[str]:
        found: list[str] = []
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found += keys(annotation, f"{prefix}{name}.")
            else:
                found.append(f"{prefix}{name}")
        return found

    missing = [key for key in keys(Settings, "") if f"`{key}`" not in readme]
    assert missing == []


def test_a_misspelt_section_in_the_environment_is_refused_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPORTELLO_WEBB__PORT", "8081")
    with pytest.raises(ConfigError, match=r"^SPORTELLO_WEBB__PORT \(environment\): unknown section 'webb'; known sections: .*web"):
        load_settings(_write(tmp_path, "{}\n"))


def test_an_unknown_key_in_the_environment_is_blamed_on_the_variable_not_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPORTELLO_STORAGE__URI", "sqlite:///x.db")
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, "{}\n"))
    assert str(caught.value) == "SPORTELLO_STORAGE__URI (environment): unknown key 'uri' in storage; known keys: echo, url"


def test_a_bad_value_in_the_environment_is_blamed_on_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_STORAGE__URL", "mysql://x")
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, "web:\n  port: 8081\n"))
    message = str(caught.value)
    assert "SPORTELLO_STORAGE__URL (environment): storage.url" in message
    assert "config.yaml" not in message


def test_a_setting_used_as_a_section_in_the_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_WEB__PORT__NUMBER", "1")
    with pytest.raises(ConfigError, match=r"SPORTELLO_WEB__PORT__NUMBER \(environment\): web\.port is a setting"):
        load_settings(_write(tmp_path, "{}\n"))


def test_variables_that_are_no_override_are_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPORTELLO_SECRET_KEY", "read-through-the-file")  # referenced as ${SPORTELLO_SECRET_KEY}
    settings = load_settings(_write(tmp_path, "web:\n  secret_key: ${SPORTELLO_SECRET_KEY}\n"))
    assert settings.web.secret_key == "read-through-the-file"


def test_a_desk_of_services_reads_each_services_knowledge_relative_to_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "services:\n  water:\n    knowledge:\n      domain: water\n      faq: [faq.yaml]\n"
                            "    channels: [telegram]\n")
    settings = load_settings(path)
    assert settings.services["water"].knowledge.faq == (str(tmp_path / "faq.yaml"),)
    assert settings.services["water"].channels == ("telegram",)


def test_services_and_a_top_level_knowledge_are_refused_together(tmp_path: Path) -> None:
    path = _write(tmp_path, "knowledge:\n  faq: [x]\nservices:\n  water:\n    knowledge:\n      domain: water\n")
    with pytest.raises(ConfigError, match=r"knowledge: a desk of several services sets each one's knowledge under services"):
        load_settings(path)


def test_a_service_on_an_unknown_channel_is_refused_listing_the_channels(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"water\.channels: unknown channel 'whatsapp'; known channels: web, x, telegram"):
        load_settings(_write(tmp_path, "services:\n  water:\n    channels: [whatsapp]\n"))


def test_one_channel_cannot_belong_to_two_services(tmp_path: Path) -> None:
    text = "services:\n  water:\n    channels: [telegram]\n  waste:\n    channels: [telegram]\n"
    with pytest.raises(ConfigError, match=r"waste\.channels: telegram is already water's"):
        load_settings(_write(tmp_path, text))


def test_an_unknown_domain_of_a_service_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"services\.gas\.knowledge\.domain: .*unknown domain 'gas'; known domains: transit, waste, water"):
        load_settings(_write(tmp_path, "services:\n  gas:\n    knowledge:\n      domain: gas\n"))


def test_a_missing_file_of_stop_names_is_refused_naming_the_key(tmp_path: Path) -> None:
    from bot.config import ConfigError, KnowledgeSettings
    from knowledge.store import load_network

    with pytest.raises(ConfigError, match=r"knowledge.stop_names: .*nowhere.txt is not a file"):
        load_network(KnowledgeSettings(stop_names=str(tmp_path / "nowhere.txt")))


def test_an_unknown_encoder_pass_is_refused_naming_the_key_and_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"reader\.encoder: .*'float32'.*'integer'"):
        load_settings(_write(tmp_path, "reader:\n  encoder: int8\n"))
    assert load_settings(_write(tmp_path, "reader:\n  encoder: integer\n")).reader.encoder == "integer"
