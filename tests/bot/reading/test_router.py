"""The router end to end on the shared scenario: the traps named in the issue, with real messages."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.domain import Action, Category, DangerCause, Decision, Intent
from bot.reading.model import Reading
from bot.reading.router import Router
from handlers import ReplyWriter
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


def _route(text: str) -> Decision:
    return Router(eval_knowledge()).route(text, now=EVAL_NOW)


def test_numbers_that_are_not_lines_are_not_routes() -> None:
    decision = _route("aspetto da 20 minuti alla fermata 70340, ho pagato 1,50 € e devo essere lì alle 8")
    assert decision.routes == ()


def test_real_small_line_numbers_are_routes() -> None:
    assert _route("il tram 8 e il 30 passano?").routes == ("8", "30")


def test_sarcastic_thanks_are_never_posted_alone() -> None:
    assert _route("grazie per l'ennesimo ritardo del 64, bravissimi 👏").action == Action.REVIEW


@pytest.mark.xfail(strict=True, reason="known misreading: this sarcastic thanks is read as feedback (held for review)")
def test_sarcastic_thanks_are_a_complaint_reviewed_by_a_person() -> None:
    decision = _route("grazie per l'ennesimo ritardo del 64, bravissimi 👏")
    assert (decision.intent, decision.category, decision.action) == (Intent.COMPLAINT, Category.DELAY, Action.REVIEW)


def test_a_strike_question_cites_the_upcoming_strike_alert() -> None:
    decision = _route("sabato 5 c'è lo sciopero? il 62 passerà?")
    assert decision.intent == Intent.STATUS
    assert decision.alert_ids == ("strike-2026-12-05",)
    assert decision.action == Action.AUTO


def test_a_line_with_no_alert_in_force_says_so_plainly() -> None:
    decision = _route("il 62 va regolare stamattina?")
    assert (decision.intent, decision.alert_ids, decision.action) == (Intent.STATUS, (), Action.AUTO)
    reply = ReplyWriter(eval_knowledge(), Settings()).draft(decision, "", now=EVAL_NOW).text
    assert "non risultano" in reply and "62" in reply


def test_a_question_about_sunday_carries_the_day_and_is_answered_for_it() -> None:
    decision = _route("il 64 domenica va regolare?")
    assert decision.time_asked is not None and decision.time_asked.label == "domenica"
    assert decision.alert_ids == ()  # the 64's delays this morning are not Sunday's
    reply = ReplyWriter(eval_knowledge(), Settings()).draft(decision, "", now=EVAL_NOW).text
    assert reply.startswith("Per domenica 29/11 non risultano disservizi annunciati per bus 64")
    assert _route("il 64 adesso è in ritardo?").time_asked is None


def test_an_expired_alert_is_never_cited() -> None:
    assert _route("il 40 oggi è ancora deviato per il corteo?").alert_ids == ()


def test_an_emergency_is_escalated() -> None:
    decision = _route("help! a man fainted on metro B at Termini and he is not breathing")
    assert (decision.intent, decision.action) == (Intent.EMERGENCY, Action.ESCALATE)


def test_a_faq_question_is_answered_from_the_knowledge_base() -> None:
    decision = _route("quanto costa il biglietto da 100 minuti?")
    assert (decision.intent, decision.faq_id, decision.action) == (Intent.FAQ, "tickets.price", Action.AUTO)


def test_stops_are_named_as_in_stops_txt_with_one_id_each() -> None:
    decision = _route("la metro A ferma a Lepanto oggi?")
    assert decision.stops == ("LEPANTO (MA)",)
    assert len(decision.stop_ids) == 1
    assert decision.alert_ids == ("metro-a-flaminio-ottaviano",)


def test_an_english_question_is_answered_in_english() -> None:
    assert _route("Is the metro C running normally?").lang == "en"


@pytest.mark.parametrize(("text", "written"), [
    ("la línea 64 funciona hoy? tengo que ir a la estación Termini", "es"),
    ("le tram 8 ne passe pas, il y a un problème sur la ligne?", "fr"),
    ("o metro A está funcionando hoje? vou a Ottaviano", "pt"),
    ("трамвай 8 їде до Casaletto сьогодні?", "uk"),  # Ukrainian, the reader unsure of it: was answered in Italian
])
def test_a_tourists_question_full_of_words_italian_shares_is_not_answered_alone_in_italian(text: str,
                                                                                          written: str) -> None:
    decision = _route(text)
    assert (decision.written_lang, decision.lang, decision.intent) == (written, "en", Intent.STATUS)
    assert ReplyWriter(eval_knowledge(), Settings()).draft(decision, text, now=EVAL_NOW).action == Action.REVIEW


# Issue 9: a message mostly in a script the reader cannot read is treated as possible danger.
_AMHARIC_CALM = "ሰላም፣ ሜትሮ ዛሬ ይሰራል? ወደ ተርሚኒ መሄድ እፈልጋለሁ"  # "hello, is the metro running today? I want to go to Termini"
_HINDI_CALM = "नमस्ते, क्या आज मेट्रो चल रही है? मुझे टर्मिनी जाना है"
_HEBREW_CALM = "שלום, האם המטרו פועל היום? אני צריך להגיע לטרמיני"  # no encoder language, no training message


@pytest.mark.parametrize("text", [_AMHARIC_CALM, _HINDI_CALM, _HEBREW_CALM])
def test_a_message_in_a_script_the_reader_cannot_read_is_escalated_as_possible_danger(text: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.action) == (Intent.EMERGENCY, Action.ESCALATE)
    assert decision.danger_cause == DangerCause.UNREAD_SCRIPT
    assert decision.as_dict()["danger_cause"] == "unread_script"
    assert decision.lang == "en" and decision.written_lang != "en"  # not served: the safety reply goes in both


def test_an_unread_script_the_reader_already_reads_as_danger_keeps_its_reading_and_says_the_cause() -> None:
    router = Router(eval_knowledge())
    danger = Reading(Intent.EMERGENCY, {i: (0.9 if i == Intent.EMERGENCY else 0.02) for i in Intent}, 0.95, True, None)
    decision = router.read(_HINDI_CALM, now=EVAL_NOW, reading=danger).decision
    assert (decision.intent, decision.action, decision.danger_cause) == (
        Intent.EMERGENCY, Action.ESCALATE, DangerCause.UNREAD_SCRIPT)
    assert not any("cannot read" in reason for reason in decision.reasons)  # the reader's own reading stands


@pytest.mark.parametrize("text", [
    "Fährt die U-Bahn heute normal? Ich muss nach Termini",
    "รถไฟใต้ดินสาย A วันนี้เปิดตามปกติไหม",
    "Работает ли сегодня метро A? Мне нужно на Термини",
    "il 64 passa regolare stamattina?",
])
def test_a_message_in_a_script_the_reader_reads_gets_the_readers_reading(text: str) -> None:
    router = Router(eval_knowledge())
    decision = router.route(text, now=EVAL_NOW)
    assert decision.danger_cause is None
    assert decision.intent == router.model.read(text).intent


def _calm(language: str) -> Reading:
    probabilities = {i: (0.9 if i == Intent.STATUS else 0.02) for i in Intent}
    return Reading(Intent.STATUS, probabilities, 0.01, False, None, language=language, language_probability=0.9)


@pytest.mark.parametrize(("guess", "written"), [("it", "und"), ("hi", "hi")])
def test_an_unread_script_is_never_taken_for_a_served_language(guess: str, written: str) -> None:
    decision = Router(eval_knowledge()).read(_HINDI_CALM, now=EVAL_NOW, reading=_calm(guess)).decision
    assert (decision.intent, decision.lang, decision.written_lang) == (Intent.EMERGENCY, "en", written)


def test_an_unread_script_on_a_desk_without_english_is_answered_in_its_first_language() -> None:
    router = Router(eval_knowledge())
    router.served = ("it",)
    decision = router.read(_HINDI_CALM, now=EVAL_NOW, reading=_calm("hi")).decision
    assert (decision.intent, decision.lang, decision.danger_cause) == (Intent.EMERGENCY, "it", DangerCause.UNREAD_SCRIPT)


def _in_danger(language: str) -> Reading:
    probabilities = {i: (0.9 if i == Intent.EMERGENCY else 0.02) for i in Intent}
    return Reading(Intent.EMERGENCY, probabilities, 0.99, True, None, language=language, language_probability=0.9)


@pytest.mark.parametrize(("text", "lang"), [
    ("hi, is the Piccadilly line running ok? seeing loads of people saying it's suspended", "en"),
    ("@ScotRail Glasgow to Edinburgh via Falkirk, any disruption right now?", "en"),
    ("lo sciopero di ATM Milano di domani ferma anche la metro?", "it"),
])
def test_a_status_question_about_another_network_cites_none_of_our_alerts_and_waits_for_a_person(
    text: str, lang: str
) -> None:
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm(lang)).decision
    assert decision.elsewhere is not None
    assert (decision.intent, decision.alert_ids, decision.action) == (Intent.STATUS, (), Action.REVIEW)
    assert (decision.confidence, decision.priority) == (0.0, None)


def test_the_same_question_about_our_network_cites_its_alerts() -> None:
    decision = Router(eval_knowledge()).read("ci sono problemi sulla rete stamattina?", now=EVAL_NOW,
                                             reading=_calm("it")).decision
    assert decision.elsewhere is None and "metro-a-flaminio-ottaviano" in decision.alert_ids


@pytest.mark.parametrize(("text", "alert"), [
    ("il 64 è in ritardo? devo prendere il treno per Napoli", "bus64-delays"),  # a line of ours
    ("la metro a Termini funziona? arrivo col Frecciarossa da Milano", None),  # a stop of ours
])
def test_a_message_naming_a_line_or_stop_of_ours_is_ours(text: str, alert: str | None) -> None:
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm("it")).decision
    assert decision.elsewhere is None and (decision.routes or decision.stops)
    assert alert is None or alert in decision.alert_ids


@pytest.mark.parametrize("text", [
    "Is the Rome–Lido train working today? Want to go to the beach at Ostia",
    "il treno per Fiumicino aeroporto va stamattina?",
    "ci sono problemi sulla FL1 per Orte stamattina?",
])
def test_romes_own_railways_and_places_are_never_another_network(text: str) -> None:
    assert Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm("it")).decision.elsewhere is None


@pytest.mark.parametrize("text", [
    "@TfLBusAlerts is the 73 diverted today? it's not coming down Oxford St",
    "Is the 16 running tonight? There was a crash on the high street earlier.",
])
def test_a_line_number_addressed_to_another_operator_or_on_a_foreign_street_is_theirs(text: str) -> None:
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm("en")).decision
    assert decision.elsewhere is not None
    assert (decision.routes, decision.stops, decision.alert_ids, decision.action) == ((), (), (), Action.REVIEW)


def test_a_line_of_ours_addressed_to_us_and_another_operator_stays_ours() -> None:
    text = "@RomaMobilita @TfLBusAlerts is the 64 diverted today?"
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm("en")).decision
    assert (decision.elsewhere, decision.routes) == (None, ("64",))


def test_a_person_in_danger_in_another_city_is_escalated_as_anywhere() -> None:
    text = "a Napoli sulla banchina un uomo è svenuto e non respira, aiuto"
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_in_danger("it")).decision
    assert (decision.intent, decision.action, decision.elsewhere) == (Intent.EMERGENCY, Action.ESCALATE, None)


def test_a_batch_reads_another_network_as_one_message_at_a_time() -> None:
    router = Router(eval_knowledge())
    texts = ["is anything running on the Jubilee?? 😭", "@LNER trains from Kings Cross back to normal yet?"]
    assert router.route_many(texts, now=EVAL_NOW) == [router.route(t, now=EVAL_NOW) for t in texts]
    assert all(d.action == Action.REVIEW and not d.alert_ids for d in router.route_many(texts, now=EVAL_NOW))


def test_a_desk_without_a_transit_network_reads_no_other_network() -> None:
    from bot.config import FeedSettings
    from knowledge.domains import domain_named
    from knowledge.store import Knowledge
    from tests.conftest import EVAL

    shared = eval_knowledge()  # shared by the tests: a copy of it with another domain
    water = Knowledge(shared.gtfs, shared.faq, FeedSettings(source=str(EVAL / "alerts.pb")), engine=None,
                      clock=lambda: EVAL_NOW, domain=domain_named("water"))
    decision = Router(water).read("siamo senza acqua da stamattina in via Argiro a Bari", now=EVAL_NOW,
                                  reading=_calm("it")).decision
    assert decision.elsewhere is None


def test_warming_embeds_the_faq_before_the_first_faq_question(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.reading.features import Encoder

    router = Router(eval_knowledge())
    router.warm()
    encoded: list[int] = []
    encode = Encoder.encode
    monkeypatch.setattr(Encoder, "encode", classmethod(lambda cls, texts: encoded.append(len(texts)) or encode(texts)))
    warmed = router.route("quanto costa il biglietto?", now=EVAL_NOW)
    assert warmed.intent == Intent.FAQ and warmed.faq_id
    assert encoded == [1]  # the message alone: the FAQ's questions were embedded by warm()
    encoded.clear()
    cold = Router(eval_knowledge()).route("quanto costa il biglietto?", now=EVAL_NOW)
    assert len(encoded) == 2 and encoded[1] > 50  # unwarmed: every FAQ question embedded on the first FAQ question
    assert (cold.faq_id, cold.action, cold.confidence) == (warmed.faq_id, warmed.action, warmed.confidence)
