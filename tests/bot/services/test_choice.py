"""Choosing a message's service: by its channel when configured, by its words otherwise, a person when unsure."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.config import DeskSettings, load_settings
from bot.services import ChoiceBasis, ServiceChooser
from knowledge.store import Knowledge

CITY = Path(__file__).resolve().parents[3] / "examples" / "city" / "config.yaml"


@pytest.fixture(scope="module")
def services() -> dict[str, Knowledge]:
    settings = load_settings(CITY)
    return {name: Knowledge.from_settings(s.knowledge, service=name) for name, s in settings.services.items()}


@pytest.mark.parametrize(("text", "service"), [
    ("il 64 è in ritardo?", "transit"),
    ("la metro A è ferma?", "transit"),
    ("l'acqua del rubinetto è potabile?", "water"),
    ("il contatore perde", "water"),
    ("dove butto il vetro?", "waste"),
    ("quando passano a ritirare gli ingombranti?", "waste"),
])
def test_the_words_of_a_message_choose_its_service(services: dict[str, Knowledge], text: str, service: str) -> None:
    choice = ServiceChooser(services).choose(text, "web")
    assert (choice.service, choice.basis) == (service, ChoiceBasis.READING)


@pytest.mark.parametrize("text", ["buongiorno, ho un problema", "come pago la bolletta?", "grazie mille!"])
def test_a_message_no_service_claims_is_left_to_a_person(services: dict[str, Knowledge], text: str) -> None:
    choice = ServiceChooser(services).choose(text, "web")
    assert (choice.service, choice.basis) == (None, ChoiceBasis.UNDECIDED)


def test_two_services_named_as_much_are_left_to_a_person(services: dict[str, Knowledge]) -> None:
    choice = ServiceChooser(services).choose("l'acqua e i rifiuti", "web")
    assert choice.basis is ChoiceBasis.UNDECIDED and choice.scores["water"] == choice.scores["waste"] == 1.0


def test_a_channel_configured_as_one_services_decides_without_reading(services: dict[str, Knowledge]) -> None:
    choice = ServiceChooser(services, channels={"telegram": "water"}).choose("il 64 è in ritardo?", "telegram")
    assert (choice.service, choice.basis) == ("water", ChoiceBasis.CHANNEL)


def test_a_stricter_lead_leaves_more_to_a_person(services: dict[str, Knowledge]) -> None:
    chooser = ServiceChooser(services, settings=DeskSettings(min_score=1.0, min_lead=3.0))
    assert chooser.choose("dove butto il vetro?", "web").basis is ChoiceBasis.UNDECIDED


def test_one_service_is_always_chosen(services: dict[str, Knowledge]) -> None:
    choice = ServiceChooser({"water": services["water"]}).choose("buongiorno", "web")
    assert (choice.service, choice.basis) == ("water", ChoiceBasis.ONLY)


def test_the_reason_names_each_services_evidence(services: dict[str, Knowledge]) -> None:
    reason = ServiceChooser(services).choose("buongiorno", "web").reason()
    assert reason.startswith("service undecided (") and "water 0.00" in reason and reason.endswith("a person decides")


def test_the_faq_nearest_in_meaning_can_tip_an_unclear_message(services: dict[str, Knowledge]) -> None:
    words_only = ServiceChooser(services).choose("come pago la bolletta?", "web")
    with_meaning = ServiceChooser(services, settings=DeskSettings(meaning_lead=0.1)).choose("come pago la bolletta?", "web")
    assert (words_only.service, with_meaning.service, with_meaning.scores["water"]) == (None, "water", 1.0)


def test_a_batch_is_chosen_as_one_by_one_with_meaning(services: dict[str, Knowledge]) -> None:
    chooser = ServiceChooser(services, channels={"telegram": "waste"}, settings=DeskSettings(meaning_lead=0.1))
    texts = ["come pago la bolletta?", "il 64 è in ritardo?", "buongiorno", "dove butto il vetro?"]
    channels = ["web", "web", "telegram", "web"]
    assert chooser.choose_many(texts, channels) == [chooser.choose(t, c) for t, c in zip(texts, channels)]


def test_warming_embeds_every_services_faq_before_the_first_message(
    services: dict[str, Knowledge], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.reading.features import Encoder

    chooser = ServiceChooser(services, settings=DeskSettings(meaning_lead=0.1))
    chooser.warm()
    encoded: list[int] = []
    encode = Encoder.encode
    monkeypatch.setattr(Encoder, "encode", classmethod(lambda cls, texts: encoded.append(len(texts)) or encode(texts)))
    assert chooser.choose("come pago la bolletta?", "web").service == "water"
    assert encoded == [1]  # the message alone: the questions were embedded by warm()


def test_a_service_whose_faq_reloads_is_measured_on_its_new_questions(services: dict[str, Knowledge]) -> None:
    own = {name: copy.copy(knowledge) for name, knowledge in services.items()}
    chooser = ServiceChooser(own, settings=DeskSettings(meaning_lead=0.1))
    assert chooser.choose("come pago la bolletta?", "web").service == "water"
    own["water"].faq = own["transit"].faq  # water reloads transit's FAQ: it no longer leads on a bill's meaning
    assert chooser.choose("come pago la bolletta?", "web").service is None
