"""``sportello calibrate``: the auto-reply threshold chosen on labelled messages the model never trained on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.reading.calibrate_command import choose_on_files
from bot.reading.model import ReaderModel
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL, EVAL_NOW, REPO

#: messages written for this test (no model trained on them), labelled by the rules of shared/eval/README.md
NEW_MESSAGES = [
    {"text": "il 64 adesso ha ritardi? devo prenderlo tra poco", "intent": "status", "routes": ["64"],
     "alert_ids": ["bus64-delays"], "auto_ok": True},
    {"text": "com'è messa la metro C stamattina, va regolare?", "intent": "status", "routes": ["342"],
     "alert_ids": ["metro-c-frequency"], "auto_ok": True},
    {"text": "grazie mille per la risposta veloce di ieri, gentilissimi", "intent": "feedback", "auto_ok": True},
    {"text": "quanto costa un biglietto da 100 minuti?", "intent": "faq", "faq_id": "tickets.price", "auto_ok": True},
    {"text": "il tram 8 arriva fino a Casaletto stamattina?", "intent": "status", "routes": ["8"],
     "stops": ["CASALETTO"], "alert_ids": ["tram8-casaletto-trastevere"], "auto_ok": True},
    {"text": "come faccio l'abbonamento annuale per mio figlio che va all'università?", "intent": "faq",
     "faq_id": "passes.students", "auto_ok": True},
    {"text": "mi avete multato ingiustamente sul 64 e voglio fare ricorso, chi mi chiama?", "intent": "other",
     "routes": ["64"], "auto_ok": False},
]
KNOWLEDGE_FLAGS = ["--gtfs", str(EVAL / "gtfs"), "--alerts", str(EVAL / "alerts.pb"), "--faq", str(EVAL / "faq"),
                   "--now", "2026-11-27T08:30:00+01:00", "--config", str(REPO / "config.yaml")]


def labelled_file(path: Path, messages: list[dict[str, object]]) -> Path:
    base = {"channel": "x", "lang": "it", "routes": [], "stops": [], "faq_id": None, "alert_ids": [], "category": None}
    path.write_text("".join(json.dumps({"id": f"m{i}", **base, **m}) + "\n" for i, m in enumerate(messages)),
                    encoding="utf-8")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(args) == 0
    return json.loads(capsys.readouterr().out.splitlines()[-1])


def test_at_the_models_own_threshold_it_counts_what_eval_counts(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = str(labelled_file(tmp_path / "new.jsonl", NEW_MESSAGES))
    evaluated = run(["eval", path, "--json", *KNOWLEDGE_FLAGS], capsys)["metrics"]
    chosen = run(["calibrate", path, *KNOWLEDGE_FLAGS], capsys)
    assert chosen["answerable"] == 6 and chosen["left_out_trained_on"] == 0
    assert chosen["previous"]["posted"] == evaluated["auto_posted"]  # type: ignore[index]
    assert chosen["previous"]["precision"] == evaluated["auto_precision"]  # type: ignore[index]
    assert chosen["previous"]["coverage"] == round(evaluated["auto_coverage"], 4)  # type: ignore[index]
    assert not chosen["chosen"]  # seven messages are far too few to choose on
    assert chosen["threshold"] == round(ReaderModel.load().auto_threshold, 4)


def test_messages_the_model_trained_on_are_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    chosen = run(["calibrate", str(EVAL / "dev.jsonl"), *KNOWLEDGE_FLAGS], capsys)
    dev = len((EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines())
    assert chosen["left_out_trained_on"] == dev
    assert chosen["answerable"] == 0 and chosen["posted"] == 0
    assert not chosen["chosen"]


def test_a_threshold_chosen_on_enough_answers_lets_more_right_answers_out(tmp_path: Path) -> None:
    model = ReaderModel.load()
    path = labelled_file(tmp_path / "new.jsonl", NEW_MESSAGES)
    choice = choose_on_files(model, load_settings(REPO / "config.yaml"), eval_knowledge(), [path],
                             clock=lambda: EVAL_NOW, min_answers=1)
    assert choice.chosen
    assert choice.wrong == 0  # every answer the router would post is right: the threshold falls to the lowest
    assert choice.threshold < model.auto_threshold
    assert choice.posted > choice.previous_posted  # the student pass question (0.925) now goes out alone


def test_the_written_model_carries_the_threshold_and_the_choice(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = str(labelled_file(tmp_path / "new.jsonl", NEW_MESSAGES))
    out = tmp_path / "model.npz"
    report = run(["calibrate", path, "--output", str(out), *KNOWLEDGE_FLAGS], capsys)
    written = ReaderModel.load(out)
    assert report["written"] == str(out)
    assert written.auto_threshold == ReaderModel.load().auto_threshold  # not chosen: the model's own stays
    assert written.info["auto_threshold_chosen_on"]["files"] == [path]
    assert written.info["auto_threshold_chosen_on"]["answerable"] == 6
