"""The rules that keep a message for a person whatever the reader's confidence (bot/reading/held.yaml): each rule's
examples, whole messages in Italian and English, and the router's decision on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import Action, Decision, Held, Intent
from bot.reading.held import HELD, HELD_FILE, HeldRules
from bot.reading.model import Reading
from bot.reading.router import Router, may_answer_alone
from bot.reading.rules import RuleError
from knowledge.text import normalise
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


@pytest.mark.parametrize("rule", HELD.all(), ids=lambda r: r.name)
def test_each_rule_matches_its_examples_and_misses_the_others(rule) -> None:  # noqa: ANN001
    assert rule.matches and rule.misses, f"{rule.name}: a rule needs examples both ways"
    assert rule.wrong_examples() == []


def test_a_missing_rule_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "held.yaml"
    path.write_text("praise:\n  pattern: x\n", encoding="utf-8")
    with pytest.raises(RuleError, match="failure"):
        HeldRules.load(path)


def test_the_rules_file_loads() -> None:
    assert HeldRules.load(HELD_FILE) == HELD


@pytest.mark.parametrize("text", [
    "davvero un servizio eccellente: cinquanta minuti alla fermata del 30 e poi è passato strapieno",
    "bravissimi, il tram 2 oggi è stato soppresso senza dirlo a nessuno",
    "grazie tante, per la seconda volta in un mese la scala mobile di Barberini è ferma",
    "superb service as usual, the 44 never turned up and I missed my appointment",
    "cheers for the 25 minute wait at Piramide, top work",
    "well done, the lift at Manzoni is out of order again",
])
def test_praise_beside_a_service_failure_read_as_feedback_is_held_as_irony(text: str) -> None:
    assert HELD.held(Intent.FEEDBACK, normalise(text)) == Held.IRONY


@pytest.mark.parametrize("text", [
    "grazie all'autista del 19 che mi ha aiutata a salire con la carrozzina",
    "complimenti, stasera la metro B era puntualissima",
    "bravi, l'ascensore di Cipro è stato riparato in un giorno",
    "thank you, the 8 tram was spotless this morning",
    "the staff at Termini were so kind when my train was delayed, thank you",
    "well done on the new timetable posters, very clear",
])
def test_praise_meant_plainly_stands(text: str) -> None:
    assert HELD.held(Intent.FEEDBACK, normalise(text)) is None


def test_irony_is_held_only_when_read_as_feedback() -> None:
    text = normalise("complimenti, il 64 non è passato")
    assert (HELD.held(Intent.COMPLAINT, text), HELD.held(Intent.STATUS, text)) == (None, None)


@pytest.mark.parametrize("text", [
    "ho ricevuto un sollecito per la multa ma l'ho pagata, verbale numero 55012, me lo annullate?",
    "chiedo il rimborso dell'abbonamento, la mia richiesta 90451 è ferma da due mesi",
    "sono un vostro autista del deposito di Grottarossa, la busta paga di novembre è sbagliata",
    "vorremmo mettere la pubblicità della nostra palestra sulle pensiline, chi contatto?",
    "my claim 31877 about the damaged pram has had no answer, who handles it?",
    "I applied for the mechanic opening in October, is there any news?",
    "we run a film school and would like to shoot a short inside a tram, who gives permission?",
    "I'm a journalist at a Dutch weekly, who speaks for the company about the metro works?",
])
def test_a_request_outside_the_public_service_read_as_faq_is_held(text: str) -> None:
    assert HELD.held(Intent.FAQ, normalise(text)) == Held.OUTSIDE_SERVICE


@pytest.mark.parametrize("text", [
    "come si presenta ricorso contro una multa?",
    "cercate autisti? dove si manda il curriculum?",
    "quanto costa l'abbonamento mensile per studenti?",
    "how do I appeal a fine I think is wrong?",
    "are you hiring bus drivers, where do I send my CV?",
    "domani ho un colloquio all'EUR, che autobus prendo da Termini?",
])
def test_a_question_the_faq_answers_for_everyone_stands(text: str) -> None:
    assert HELD.held(Intent.FAQ, normalise(text)) is None


def _reading(intent: Intent, language: str) -> Reading:
    probabilities = {i: (0.96 if i == intent else 0.008) for i in Intent}
    return Reading(intent, probabilities, 0.01, False, None, language=language, language_probability=0.95)


@pytest.mark.parametrize(("text", "intent", "language", "held"), [
    ("complimenti, quaranta minuti per un 913 e poi pure pieno", Intent.FEEDBACK, "it", Held.IRONY),
    ("thanks a lot, the 75 didn't stop and drove past the queue", Intent.FEEDBACK, "en", Held.IRONY),
    ("vi allego il curriculum per un posto da meccanico", Intent.FAQ, "it", Held.OUTSIDE_SERVICE),
    ("could you send your advertising rates for the bus sides?", Intent.FAQ, "en", Held.OUTSIDE_SERVICE),
])
def test_the_router_sends_a_held_message_to_a_person(text: str, intent: Intent, language: str, held: Held) -> None:
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_reading(intent, language)).decision
    assert (decision.intent, decision.held, decision.action) == (intent, held, Action.REVIEW)
    assert not may_answer_alone(decision)


def test_a_held_decision_round_trips_through_its_dict() -> None:
    decision = Decision(lang="it", intent=Intent.FEEDBACK, held=Held.IRONY)
    assert decision.as_dict()["held"] == "irony"
    assert Decision.from_dict(decision.as_dict()).held == Held.IRONY
    assert "held" not in Decision(lang="it", intent=Intent.FEEDBACK).as_dict()


@pytest.mark.parametrize("text", [
    "public transport tips for this weekend in the city?",
    "I'd like my money back for the monthly pass, never used it",
])
def test_a_faq_answer_about_another_subject_goes_to_a_person_however_sure(text: str) -> None:
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_reading(Intent.FAQ, "en")).decision
    assert decision.intent == Intent.FAQ and decision.faq_id is not None
    assert (decision.held, decision.action) == (Held.FAQ_OFF_SUBJECT, Action.REVIEW)
    assert not may_answer_alone(decision)


def test_a_faq_answer_on_its_subject_is_not_held() -> None:
    decision = Router(eval_knowledge()).read("can I bring my dog on the tram?", now=EVAL_NOW,
                                             reading=_reading(Intent.FAQ, "en")).decision
    assert (decision.faq_id, decision.held) == ("pets", None)
