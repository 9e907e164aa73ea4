"""``sportello eval`` scores the places a labelled file names (exact set, micro precision and recall per kind), and
leaves every figure of a file without places as it was."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from bot.config import PACKAGE_ROOT, load_settings
from bot.domain import Decision, Intent
from bot.evaluate import EvaluationError, Labelled, Outcome, evaluate_command, read_labelled, render_table, score
from bot.subjects import Subject, SubjectKind

STREET = Subject(SubjectKind.STREET, "072006:via argiro", "Via Argiro, Bari")
ADDRESS = Subject(SubjectKind.ADDRESS, "072006:via argiro:7", "Via Argiro 7, Bari")
TOWN = Subject(SubjectKind.MUNICIPALITY, "072006", "Bari")


def _gold(places: list[str] | None) -> Labelled:
    return Labelled.from_dict({"id": "m", "text": "t", "intent": "complaint", "places": places})


def _decision(*subjects: Subject) -> Decision:
    return Decision("it", Intent.COMPLAINT, subjects=subjects)


def test_places_are_scored_as_sets_and_per_kind() -> None:
    outcomes = [
        Outcome(_gold(["address:072006:via argiro:7", "street:072006:via argiro"]), _decision(ADDRESS, STREET)),
        Outcome(_gold(["street:072006:via argiro"]), _decision(TOWN)),  # a municipality for the street
    ]
    scores = score(outcomes)
    m = scores.metrics
    assert (m["place_messages"], m["place_exact_set"], m["place_precision"], m["place_recall"]) == (2, 0.5, 2 / 3, 2 / 3)
    assert scores.per_place_kind == {
        "municipality": {"support": 0, "predicted": 1, "precision": 0.0, "recall": None},
        "street": {"support": 2, "predicted": 1, "precision": 1.0, "recall": 0.5},
        "address": {"support": 1, "predicted": 1, "precision": 1.0, "recall": 1.0},
    }
    assert "places" in outcomes[1].wrong_fields() and "places" not in outcomes[0].wrong_fields()


def test_lines_and_stops_are_not_places() -> None:
    line = Subject(SubjectKind.LINE, "64")
    outcome = Outcome(_gold([]), _decision(line))
    assert score([outcome]).metrics["place_exact_set"] == 1.0


def test_a_file_without_places_gains_no_figure() -> None:
    scores = score([Outcome(_gold(None), _decision(STREET))])
    assert not any(k.startswith("place") for k in scores.metrics) and scores.per_place_kind == {}
    out = io.StringIO()
    render_table(scores, out)
    assert "place" not in out.getvalue()
    assert "places" not in Outcome(_gold(None), _decision(STREET)).wrong_fields()


def test_only_the_messages_labelling_places_count() -> None:
    outcomes = [Outcome(_gold(["street:072006:via argiro"]), _decision(STREET)), Outcome(_gold(None), _decision())]
    assert score(outcomes).metrics["place_messages"] == 1


@pytest.mark.parametrize("places", [["fountain:12"], ["line:64"], ["via argiro"]])
def test_a_place_that_is_no_place_key_is_refused(tmp_path, places: list[str]) -> None:  # noqa: ANN001
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "t", "intent": "complaint", "places": places}) + "\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match="bad.jsonl:1: not a labelled message"):
        read_labelled(path)


@pytest.mark.parametrize("service", ["water", "waste"])
def test_the_examples_labelled_files_are_scored_with_places(service: str) -> None:
    folder = PACKAGE_ROOT / "examples" / service
    args = argparse.Namespace(file=str(folder / "labelled.jsonl"), config=str(folder / "config.yaml"), gtfs=None,
                              alerts=None, faq=None, now="2026-12-03T11:00:00+01:00", json=True, mistakes=True)
    out = io.StringIO()
    assert evaluate_command(args, load_settings(folder / "config.yaml"), out) == 0
    data = json.loads(out.getvalue())
    assert data["metrics"]["place_messages"] == len(read_labelled(folder / "labelled.jsonl"))
    assert {"street", "address"} <= set(data["per_place_kind"])
    assert data["metrics"]["place_exact_set"] is not None

