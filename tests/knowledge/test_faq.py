"""Tests of knowledge.faq: loading the knowledge base, matching, answers and JSON Lines."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from bot.errors import SportelloError
from knowledge.faq import FaqEntry, FaqError, FaqIndex, FaqMatch, run_faq_match

REPO = Path(__file__).resolve().parents[2]
EVAL = Path(os.environ.get("SPORTELLO_SHARED", REPO.parent / "shared")) / "eval"
FAQ_DIR = EVAL / "faq"

ENTRY_YAML = """\
- id: {id}
  topic: tickets
  questions:
    it: ["Quanto costa il biglietto?"]
    en: ["How much is a ticket?"]
  answer:
    it: "Costa 1,50 euro."
    en: "It costs 1.50 euro."
"""


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex.load([FAQ_DIR])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_reads_every_entry_of_the_directory(index: FaqIndex) -> None:
    assert len(index.entries) == 36


def test_load_accepts_a_single_file(tmp_path: Path) -> None:
    file = write(tmp_path / "one.yaml", ENTRY_YAML.format(id="tickets.price"))
    assert [e.id for e in FaqIndex.load([file]).entries] == ["tickets.price"]


def test_entries_hold_questions_as_tuples_per_language(index: FaqIndex) -> None:
    entry = next(e for e in index.entries if e.id == "tickets.price")
    assert isinstance(entry.questions["it"], tuple) and entry.questions["en"]


def test_match_finds_an_italian_question(index: FaqIndex) -> None:
    match = index.match("scusate, quanto costa un biglietto per l'autobus?")
    assert match is not None and match.faq_id == "tickets.price"


def test_rank_puts_the_right_entry_first_for_an_english_question(index: FaqIndex) -> None:
    assert index.rank("are dogs allowed on the metro?", k=1)[0].faq_id == "pets"


def test_match_tolerates_shorthand_and_typos(index: FaqIndex) -> None:
    match = index.match("cmq c'è il wifii gratis nelle stazioni??")
    assert match is not None and match.faq_id == "wifi"


def test_match_answers_none_for_an_unrelated_message(index: FaqIndex) -> None:
    assert index.match("che tempo farà domani a Milano?") is None


def test_match_answers_none_for_an_empty_message(index: FaqIndex) -> None:
    assert index.match("🙂 !!!") is None


def test_match_reports_the_language_of_the_matched_question(index: FaqIndex) -> None:
    match = index.match("can I take my bicycle on the metro?")
    assert match is not None and match.lang == "en"


def test_match_reports_the_language_it_was_asked_for(index: FaqIndex) -> None:
    match = index.match("can I take my bicycle on the metro?", lang="it")
    assert match is not None and match.lang == "it"


def test_rank_returns_k_matches_best_first(index: FaqIndex) -> None:
    ranked = index.rank("abbonamento mensile studenti", k=3)
    assert len(ranked) == 3 and ranked == sorted(ranked, key=lambda m: -m.score)


def test_rank_scores_are_probabilities(index: FaqIndex) -> None:
    assert all(0.0 <= m.score <= 1.0 for m in index.rank("biglietto", k=36))


def test_entry_scores_are_the_ranks_scores_by_entry_number(index: FaqIndex) -> None:
    for text in ("abbonamento mensile studenti", "quanto costa il biglietto?", "ciao", ""):
        ranked = index.rank(text, k=len(index.entries))
        scores = index.entry_scores(text)
        assert [(index.entries[e].id, score, lang) for e, score, lang in scores] == [
            (m.faq_id, m.score, m.lang) for m in ranked]
        assert index.entry_scores(text, 2) == scores[:2] and index.entry_scores(text, 0) == []


def test_threshold_decides_when_match_answers(index: FaqIndex) -> None:
    strict = FaqIndex.from_entries(index.entries, threshold=1.0, calibration=index.calibration)
    assert strict.match("quanto costa il biglietto?") is None


def test_threshold_outside_unit_interval_is_rejected(index: FaqIndex) -> None:
    with pytest.raises(FaqError, match="threshold"):
        FaqIndex.from_entries(index.entries, threshold=1.5)


def test_calibration_rewards_a_higher_raw_score(index: FaqIndex) -> None:
    assert index.calibration.probability(0.9, 0.2) > index.calibration.probability(0.3, 0.2)


def test_dev_faq_messages_are_matched_top1(index: FaqIndex) -> None:
    rows = [json.loads(line) for line in (EVAL / "dev.jsonl").read_text("utf-8").splitlines()]
    faq = [r for r in rows if r["intent"] == "faq"]
    right = sum(index.rank(r["text"], k=1)[0].faq_id == r["faq_id"] for r in faq)
    assert right / len(faq) >= 0.88




def test_answer_is_in_the_requested_language(index: FaqIndex) -> None:
    assert index.answer("wifi", "en").startswith("Metro stations have free wifi")


def test_answer_falls_back_to_italian(index: FaqIndex) -> None:
    assert index.answer("wifi", "de") == index.answer("wifi", "it")


def test_answer_of_an_unknown_id_is_an_error(index: FaqIndex) -> None:
    with pytest.raises(FaqError, match="no.such"):
        index.answer("no.such", "it")


def test_from_entries_builds_an_index_in_memory() -> None:
    entries = [
        FaqEntry("a", "t", {"en": ("lost my bag on the bus",)}, {"en": "Lost and found."}),
        FaqEntry("b", "t", {"en": ("how much is a monthly pass",)}, {"en": "35 euro."}),
    ]
    ranked = FaqIndex.from_entries(entries).rank("I lost my bag", k=1)
    assert ranked[0].faq_id == "a"


def test_faq_error_is_a_sportello_error() -> None:
    assert issubclass(FaqError, SportelloError)


def test_load_rejects_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", ENTRY_YAML.format(id="tickets.price"))
    write(tmp_path / "b.yaml", ENTRY_YAML.format(id="tickets.price"))
    with pytest.raises(FaqError, match=r"b\.yaml.*duplicate FAQ id 'tickets\.price'.*a\.yaml"):
        FaqIndex.load([tmp_path])


def test_load_error_names_file_entry_and_key(tmp_path: Path) -> None:
    text = ENTRY_YAML.format(id="tickets.price").replace('    en: "It costs 1.50 euro."\n', "    en: 7\n")
    write(tmp_path / "bad.yaml", text)
    with pytest.raises(FaqError, match=r"bad\.yaml: entry 1 \(id 'tickets\.price'\): key 'answer\.en'"):
        FaqIndex.load([tmp_path])


def test_load_rejects_a_missing_key(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", "- id: x\n  topic: t\n  answer: {it: ciao}\n")
    with pytest.raises(FaqError, match="key 'questions'"):
        FaqIndex.load([tmp_path])


def test_load_rejects_an_unknown_key(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", ENTRY_YAML.format(id="x") + "  tag: [a]\n")
    with pytest.raises(FaqError, match=r"unknown key\(s\) \['tag'\]"):
        FaqIndex.load([tmp_path])


def test_load_rejects_invalid_yaml(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", "- id: [unclosed\n")
    with pytest.raises(FaqError, match=r"bad\.yaml: cannot read"):
        FaqIndex.load([tmp_path])


def test_load_rejects_a_file_that_is_not_a_list(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", "id: x\n")
    with pytest.raises(FaqError, match="expected a list"):
        FaqIndex.load([tmp_path])


def test_load_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FaqError, match="no such FAQ file"):
        FaqIndex.load([tmp_path / "nowhere"])


def test_run_faq_match_writes_one_record_per_message(index: FaqIndex) -> None:
    lines = ['{"id": "m1", "text": "dove compro i biglietti?"}\n', '{"id": "m2", "text": "ok"}\n']
    out = io.StringIO()
    run_faq_match(index, lines, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["id"], r["faq_id"]) for r in records] == [("m1", "tickets.where_to_buy"), ("m2", None)]


def test_run_faq_match_reports_a_bad_line_and_goes_on(index: FaqIndex) -> None:
    out = io.StringIO()
    run_faq_match(index, ["not json\n", '{"id": "m2", "text": "wifi in metro?"}\n'], out)
    bad, good = (json.loads(line) for line in out.getvalue().splitlines())
    assert bad["id"] is None and "line 1" in bad["error"] and good["id"] == "m2"


def test_run_faq_match_rejects_a_message_without_text(index: FaqIndex) -> None:
    out = io.StringIO()
    run_faq_match(index, ['{"id": "m1"}\n'], out)
    assert "'text'" in json.loads(out.getvalue())["error"]


def test_faq_match_is_frozen() -> None:
    match = FaqMatch("wifi", 0.9, "it")
    with pytest.raises(AttributeError):
        match.score = 0.1  # type: ignore[misc]
