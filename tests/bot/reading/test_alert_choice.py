"""Which alerts a reply draws on, against the shared scenario's alerts at 2026-11-27 08:30 Rome; and the words it
chooses them by (bot/reading/alertwords.yaml), each rule against its examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.reading.alert_choice import (ALERT_WORDS_FILE, WORDS, AlertWords, choose_alerts, metro_stations,
                                      station_lines)
from bot.reading.rules import RuleError
from bot.domain import Intent
from bot.reading.timeframe import timeframe
from knowledge.text import normalise
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


def _choose(text: str, intent: Intent = Intent.STATUS, routes: tuple[str, ...] = (),
            stop_ids: tuple[str, ...] = ()) -> tuple[str, ...]:
    when = timeframe(text, EVAL_NOW)
    return choose_alerts(eval_knowledge().alerts, intent=intent, norm=normalise(text), now=EVAL_NOW,
                         when=when, routes=routes, stop_ids=stop_ids).alert_ids


@pytest.mark.parametrize("rule", WORDS.all(), ids=lambda r: r.name)
def test_each_word_rule_matches_its_examples_and_misses_the_others(rule) -> None:  # noqa: ANN001
    assert rule.matches and rule.misses, f"{rule.name}: a rule needs examples both ways"
    prepared = str.lower if rule.raw else normalise  # a header, or words of a script normalising drops
    assert rule.wrong_examples(prepared) == []


def test_a_missing_word_rule_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "alertwords.yaml"
    path.write_text(ALERT_WORDS_FILE.read_text(encoding="utf-8").replace("\nclosed:", "\nclosed_words:", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="'closed'"):
        AlertWords.load(path)


def test_a_word_pattern_that_does_not_compile_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "alertwords.yaml"
    path.write_text(ALERT_WORDS_FILE.read_text(encoding="utf-8").replace(r"\b(?:partita", r"\b(?:partita(", 1),
                    encoding="utf-8")
    with pytest.raises(RuleError, match="'match'"):
        AlertWords.load(path)


def test_the_metro_lines_a_station_name_tags_are_read_once_per_network() -> None:
    alerts = eval_knowledge().alerts
    assert station_lines(alerts, ("05000",)) == ["248", "249"]  # TERMINI (MA-MB-FS)
    assert station_lines(alerts, ("70340", "82366")) == ["248", "249"]  # COLOSSEO (MB), SPAGNA (MA)
    assert metro_stations(alerts.gtfs) is metro_stations(alerts.gtfs)


def test_a_line_with_an_alert_in_force_gets_it() -> None:
    assert _choose("il 64 va regolare?", routes=("64",)) == ("bus64-delays",)


def test_a_line_with_no_alert_in_force_gets_none() -> None:
    assert _choose("il 62 va regolare?", routes=("62",)) == ()


def test_an_expired_alert_is_never_cited() -> None:
    assert _choose("il 40 è ancora deviato?", routes=("40",)) == ()


def test_a_strike_question_cites_the_upcoming_strike() -> None:
    assert _choose("ci sarà sciopero dei mezzi?") == ("strike-2026-12-05",)


def test_a_question_about_the_strike_day_cites_it_through_the_agency() -> None:
    assert _choose("il 62 il 5 dicembre passa?", routes=("62",)) == ("strike-2026-12-05",)


def test_an_alert_counts_only_in_force_at_the_time_asked() -> None:
    assert _choose("il tram 2 funziona stamattina?", routes=("2",)) == ()
    assert _choose("il tram 2 funziona domenica sera?", routes=("2",)) == ("olympic-stadium-sunday",)


def test_a_route_and_stop_selector_needs_the_stop() -> None:
    assert _choose("la metro B va regolare?", routes=("249",)) == ()
    assert _choose("ascensore di Colosseo ok?", stop_ids=("70340",)) == ("colosseo-elevator",)


def test_a_network_question_gets_every_network_alert_in_force() -> None:
    assert set(_choose("ci sono problemi sulla rete stamattina?")) == {
        "metro-a-flaminio-ottaviano", "tram8-casaletto-trastevere", "bus64-delays", "metro-c-frequency"}


def test_a_complaint_about_a_past_day_cites_nothing() -> None:
    assert _choose("ieri il 64 era pieno", intent=Intent.COMPLAINT, routes=("64",)) == ()


def test_a_holiday_asked_about_cites_only_alerts_in_force_that_day() -> None:
    assert _choose("Is the Rome metro running on Christmas Day?") == ()
    assert _choose("a Natale i bus girano?") == ()
    assert _choose("l'Immacolata il tram 8 va?", routes=("8",)) == ("tram8-casaletto-trastevere",)


def test_a_strike_asked_in_another_latin_script_language_cites_the_strike() -> None:
    for text in ("il y a une grève samedi 5 décembre?", "hay huelga de transporte el 5 de diciembre?",
                 "vai ter greve de transporte no próximo sábado?", "gibt es morgen einen Streik in Rom?",
                 "czy jutro jest strajk komunikacji w Rzymie?"):
        assert _choose(text) == ("strike-2026-12-05",), text


def test_a_strike_word_in_another_language_needs_the_whole_word() -> None:
    assert _choose("grevenbroich bus 64?", routes=("64",)) == ("bus64-delays",)


def test_the_metro_named_with_no_line_gets_the_metro_lines_alerts_in_force() -> None:
    assert _choose("la metro funziona tutta regolarmente oggi?") == ("metro-a-flaminio-ottaviano", "metro-c-frequency")
    assert _choose("Any disruption on the metro this evening?") == ("metro-a-flaminio-ottaviano",)


def test_the_trams_named_with_no_line_get_the_tram_lines_alerts_in_force() -> None:
    assert _choose("Are trams running normally on Saturday?") == ("tram8-casaletto-trastevere",)


def test_a_mode_beside_buses_or_the_network_stays_a_network_question() -> None:
    everything = {"metro-a-flaminio-ottaviano", "tram8-casaletto-trastevere", "bus64-delays", "metro-c-frequency"}
    assert set(_choose("bus e metro oggi tutto regolare?")) == everything
    assert set(_choose("problemi sulla rete e sulla metro oggi?")) == everything


def test_the_lines_of_a_mode_are_that_modes_not_the_whole_network() -> None:
    # «le linee della metro» name the metro's lines, as «la metro» does: the metro's alerts
    assert _choose("problemi sulle linee della metro oggi?") == ("metro-a-flaminio-ottaviano", "metro-c-frequency")


def test_a_strike_question_naming_the_metro_stays_about_the_strike() -> None:
    assert _choose("is there a strike on Saturday? will the metro run?") == ("strike-2026-12-05",)
    assert _choose("il 5 c'è sciopero? metro chiusa tutto il giorno?") == ("strike-2026-12-05",)


def _choose_as_sent(text: str, routes: tuple[str, ...] = ()) -> tuple[str, ...]:
    return choose_alerts(eval_knowledge().alerts, intent=Intent.STATUS, norm=normalise(text), now=EVAL_NOW,
                         when=timeframe(text, EVAL_NOW), routes=routes, stop_ids=(), text=text).alert_ids


def test_a_strike_asked_in_a_script_normalising_drops_cites_the_strike() -> None:
    for text in ("هل يوجد إضراب للمواصلات يوم السبت 5 ديسمبر؟", "12月5号罢工吗？地铁早上开不开？",
                 "12月5日はストライキがありますか？", "วันเสาร์ที่ 5 ธันวาคม มีการนัดหยุดงานไหม",
                 "Чи буде страйк у суботу 5 грудня?", "будет ли забастовка в субботу?", "Υπάρχει απεργία το Σάββατο;",
                 "क्या शनिवार को हड़ताल है?", "Bu cumartesi grev var mı?"):
        assert _choose_as_sent(text) == ("strike-2026-12-05",), text
    assert _choose_as_sent("오늘 파업 있나요? 메트로 A 운행하나요", routes=("248",)) == (
        "metro-a-flaminio-ottaviano", "strike-2026-12-05")


def test_a_message_in_another_script_with_no_strike_word_is_no_strike_question() -> None:
    assert _choose_as_sent("64번 버스 지금 운행하나요?", routes=("64",)) == ("bus64-delays",)


def test_a_station_said_to_be_closed_cites_the_closures_of_its_metro_lines() -> None:
    spagna, repubblica, termini = ("82366",), ("70031",), ("05000",)
    assert _choose("Spagna è chiusa?", stop_ids=spagna) == ("metro-a-flaminio-ottaviano",)
    assert _choose("Repubblica oggi è aperta? leggevo di una chiusura", stop_ids=repubblica) == (
        "metro-a-flaminio-ottaviano",)
    assert _choose("is Termini station open? google says it's closed", stop_ids=termini) == (
        "metro-a-flaminio-ottaviano",)


def test_a_station_asked_only_whether_open_gets_the_alerts_naming_it() -> None:
    assert _choose("is Termini station open?", stop_ids=("05000",)) == ()


def test_a_station_closure_asked_after_the_closure_ends_or_without_closure_words_cites_nothing() -> None:
    assert _choose("Spagna è chiusa lunedì?", stop_ids=("82366",)) == ()
    assert _choose("a Spagna i treni vanno regolari?", stop_ids=("82366",)) == ()


def test_a_question_about_the_match_cites_the_match_detours_whatever_line_is_named() -> None:
    assert _choose("is the 780 diverted because of the match?", routes=("780",)) == ("olympic-stadium-sunday",)
    assert _choose("il 780 è deviato per la partita?", routes=("780",)) == ("olympic-stadium-sunday",)


def test_a_match_on_another_day_than_the_match_alert_does_not_cite_it() -> None:
    assert _choose("domani sera c'è la partita, il 780 fa deviazioni?", routes=("780",)) == ()


def test_a_line_said_to_come_back_cites_its_alert_in_force_now() -> None:
    assert _choose("ma dal 15 dicembre torna il tram 8 vero?", routes=("8",)) == ("tram8-casaletto-trastevere",)


@pytest.mark.parametrize("text", ["is Ottaviano reopening on Monday?", "Ist die Station Ottaviano am Montag wieder offen?"])
def test_a_station_asked_to_reopen_on_another_day_cites_its_closure(text: str) -> None:
    # the closure ends on Sunday night: not in force on Monday, but the alert that answers the question asked
    assert _choose(text, stop_ids=("72077",)) == ("metro-a-flaminio-ottaviano",)


def test_a_line_asked_whether_its_trains_are_still_thinned_out_later_cites_the_frequency_alert() -> None:
    # metro C runs every 12 minutes until noon: asked of 15:00 it is not in force, but answers the question asked
    assert _choose("la C va normale oggi pomeriggio alle 15 o ancora coi treni diradati?",
                   routes=("342",)) == ("metro-c-frequency",)


def test_the_lines_of_one_mode_asked_about_at_a_station_are_not_the_whole_network() -> None:
    # «metro lines» at Termini: the alerts of the station, none; not every network-wide alert in force
    assert _choose("Are both metro lines stopping at Termini right now?", stop_ids=("05000",)) == ()


def test_the_stations_of_one_mode_asked_about_get_that_modes_alerts() -> None:
    # not the tram 8 replacement nor the 64's delays: the metro's stations are asked about
    assert _choose("are the metro stations open today?") == ("metro-a-flaminio-ottaviano", "metro-c-frequency")


def test_a_strike_question_asking_whether_the_metro_is_open_today_cites_the_metro_alerts_too() -> None:
    # today named and the metro asked open or closed: the metro's alerts today beside the strike
    assert _choose("sciopero oggi? le metro sono chiuse?") == (
        "metro-a-flaminio-ottaviano", "strike-2026-12-05", "metro-c-frequency")
    # a strike on another day, or the metro asked without today: the strike alone
    assert _choose("strike today? I need the metro back by 6") == ("strike-2026-12-05",)


def test_a_station_asked_about_on_the_strike_day_cites_the_strike() -> None:
    # the strike's selector is the whole operator: it informs every stop, in force at the time asked
    assert _choose("sabato 5 dicembre la stazione di Anagnina è aperta?", stop_ids=("05019",)) == (
        "strike-2026-12-05",)
    assert _choose("is Anagnina open on Sunday?", stop_ids=("05019",)) == ()


def test_the_metro_a_stations_and_both_lines_are_not_the_whole_network() -> None:
    assert _choose("are the metro A stations closed today?", routes=("248",)) == ("metro-a-flaminio-ottaviano",)
    assert _choose("a Termini vanno tutte e due le linee, A e B?", routes=("248", "249"),
                   stop_ids=("05000",)) == ("metro-a-flaminio-ottaviano",)


def test_a_match_question_with_no_network_word_cites_the_match_alone() -> None:
    assert _choose("sunday's game at the stadium: will the buses change?") == ("olympic-stadium-sunday",)
    assert _choose("domenica sera dopo la partita come vanno bus e metro?") == (
        "metro-a-flaminio-ottaviano", "tram8-casaletto-trastevere", "olympic-stadium-sunday")


def test_a_station_asked_whether_it_will_be_reopened_cites_its_closure() -> None:
    assert _choose("Ottaviano lunedì sarà riaperta?", stop_ids=("72077",)) == ("metro-a-flaminio-ottaviano",)


def test_a_service_the_feed_does_not_list_is_no_question_about_the_whole_network() -> None:
    assert _choose("il trenino per il Lido stamattina parte?") == ()
    assert _choose("the river boat, is it sailing today?") == ()
    assert _choose("oggi funziona tutto?") == (
        "metro-a-flaminio-ottaviano", "tram8-casaletto-trastevere", "bus64-delays", "metro-c-frequency")


def test_thanks_naming_a_line_with_an_alert_in_force_draw_on_no_alert() -> None:
    assert _choose("grazie all'autista del 64 stamattina, gentilissimo", intent=Intent.FEEDBACK, routes=("64",)) == ()


def test_thanks_for_a_delay_draw_on_the_delay_alert() -> None:
    # thanking for a delay thanks for nothing: the line's delay alert is what a reply draws on
    assert _choose("ma grazie eh, il 64 di nuovo in ritardo", intent=Intent.FEEDBACK, routes=("64",)) == (
        "bus64-delays",)


def test_a_general_question_about_a_replacement_bus_named_by_its_code_draws_on_the_replacement() -> None:
    assert _choose("where do I catch the 8BUS?", intent=Intent.FAQ, routes=("8BUS",)) == (
        "tram8-casaletto-trastevere",)


def test_a_general_question_about_a_line_draws_only_on_alerts_of_the_kind_it_asks_about() -> None:
    # how to bring a bike on tram 8 is answered by the FAQ, not by the tram's replacement
    assert _choose("si può portare la bici sul tram 8?", intent=Intent.FAQ, routes=("8",)) == ()
    # step-free access at Colosseo is answered by the lift alert that names it
    assert _choose("is Colosseo station step-free for a wheelchair?", intent=Intent.FAQ,
                   stop_ids=("70340",)) == ("colosseo-elevator",)


@pytest.mark.parametrize("text", ["il 910 oggi fa il percorso normale?", "il 910 è deviato?",
                                  "is tram 2 on its usual route?"])
def test_a_detour_that_begins_after_today_does_not_answer_a_question_about_now(text: str) -> None:
    routes = ("2",) if "tram 2" in text else ("910",)
    assert _choose(text, routes=routes) == ()


def test_the_same_detour_answers_the_question_about_its_day() -> None:
    assert _choose("il 910 domenica è deviato?", routes=("910",)) == ("olympic-stadium-sunday",)


def test_a_closure_later_today_still_answers_a_question_about_now() -> None:
    # the metro A closure is in force from 05:30 today: asked now, it answers; and a strike a week ahead answers
    # a strike question asked now
    assert _choose("la metro A è chiusa?", routes=("248",)) == ("metro-a-flaminio-ottaviano",)
    assert "strike-2026-12-05" in _choose("c'è sciopero sul 64?", routes=("64",))
