"""`sportello train --recipe`: which recipe a retrain trains, the code's or the model in service's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import ReaderSettings, Settings
from bot.errors import SportelloError
from bot.reading.model import ReaderModel
from bot.reading.retrain import RECIPES, judged_recipe, recipe_named, scheduled_recipe
from bot.reading.training import AUTO_PRECISION_TARGET, TrainingParams, recipe_of


def test_train_takes_the_default_recipe_unless_told() -> None:
    assert build_parser().parse_args(["train"]).recipe == "default"
    assert build_parser().parse_args(["train", "--recipe", "in-service"]).recipe == "in-service"


def test_train_offers_every_recipe_it_knows_and_refuses_others(capsys: pytest.CaptureFixture[str]) -> None:
    assert [build_parser().parse_args(["train", "--recipe", name]).recipe for name in RECIPES] == list(RECIPES)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--recipe", "newest"])
    assert "invalid choice: 'newest'" in capsys.readouterr().err


def test_the_default_recipe_is_the_codes() -> None:
    assert recipe_named("default", Settings()) == TrainingParams()


def test_the_in_service_recipe_is_read_from_the_shipped_model() -> None:
    assert recipe_named("in-service", Settings()) == recipe_of(ReaderModel.load())


def test_the_in_service_recipe_follows_the_configured_model(tmp_path: Path) -> None:
    model = ReaderModel.load()
    params = {**model.info.get("params", {}), "epochs": 77, "lookalike_weight": 2.0}
    replace(model, info={**model.info, "params": params}).save(tmp_path / "service.npz")
    settings = Settings(reader=ReaderSettings(model=str(tmp_path / "service.npz")))
    recipe = recipe_named("in-service", settings)
    assert (recipe.epochs, recipe.lookalike_weight) == (77, 2.0)


def test_epochs_and_folds_given_override_the_recipe() -> None:
    shipped = recipe_of(ReaderModel.load())
    recipe = recipe_named("in-service", Settings(), epochs=20, folds=2)
    assert (recipe.epochs, recipe.folds) == (20, 2)
    assert replace(recipe, epochs=shipped.epochs, folds=shipped.folds) == shipped


def test_writer_folds_are_the_default_and_random_folds_are_asked_for_on_the_command_line() -> None:
    assert recipe_named("split", Settings()).writer_folds
    assert recipe_named("split", Settings(), writer_folds=False) == TrainingParams(keep_danger=True, writer_folds=False)
    assert build_parser().parse_args(["train", "--recipe", "split", "--writer-folds"]).writer_folds
    assert build_parser().parse_args(["train", "--no-writer-folds"]).writer_folds is False
    assert build_parser().parse_args(["train"]).writer_folds is None


def test_the_gate_works_one_file_at_a_time_unless_given_jobs(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["train"]).jobs == 1
    assert build_parser().parse_args(["train", "--recipe", "split", "--jobs", "2"]).jobs == 2
    for wrong in ("0", "two"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["train", "--jobs", wrong])
        assert f"must be a whole number of at least 1, not '{wrong}'" in capsys.readouterr().err


def test_an_unknown_recipe_name_is_an_error_that_lists_the_known() -> None:
    with pytest.raises(SportelloError, match="default, in-service, split"):
        recipe_named("newest", Settings())


def test_the_split_recipe_is_the_codes_with_the_danger_part_kept() -> None:
    assert build_parser().parse_args(["train", "--recipe", "split"]).recipe == "split"
    recipe = recipe_named("split", Settings(), epochs=20)
    assert recipe.keep_danger and replace(recipe, keep_danger=False, epochs=TrainingParams.epochs) == TrainingParams()


def test_a_scheduled_retrain_trains_the_recipe_of_the_model_in_service() -> None:
    # a model trained before the FAQ prototypes records none, and its recipe keeps none; one trained before the
    # precision target was stored keeps the target of its day
    prototypes = ReaderModel.load().faq_prototypes is not None
    assert scheduled_recipe(Settings()) == recipe_of(ReaderModel.load()) == TrainingParams(
        keep_danger=True, faq_prototypes=prototypes, auto_precision_target=AUTO_PRECISION_TARGET, writer_folds=True)


def test_a_scheduled_retrain_with_no_readable_model_trains_the_codes_recipe(tmp_path: Path) -> None:
    (tmp_path / "reader.npz").write_bytes(b"not a model")
    settings = Settings(reader=ReaderSettings(model_dir=str(tmp_path)))
    assert scheduled_recipe(settings) == TrainingParams()


def test_the_gate_reads_the_model_in_service_at_the_candidates_precision_target() -> None:
    shipped = ReaderModel.load()
    stricter = replace(TrainingParams(), auto_precision_target=0.995)
    judged = judged_recipe(shipped, stricter)
    assert judged.auto_precision_target == 0.995
    assert replace(judged, auto_precision_target=0.0) == replace(recipe_of(shipped), auto_precision_target=0.0)


def test_a_false_alarm_budget_is_given_to_a_recipe_that_fits_a_danger_part() -> None:
    args = build_parser().parse_args(["train", "--danger-false-alarms", "0.05"])
    assert recipe_named(args.recipe, Settings(), danger_false_alarms=args.danger_false_alarms) == TrainingParams(
        danger_false_alarms=0.05)
    assert build_parser().parse_args(["train"]).danger_false_alarms is None


@pytest.mark.parametrize("recipe", ["split", "reread"])
def test_a_false_alarm_budget_for_a_recipe_that_keeps_its_danger_part_is_an_error_naming_the_fix(recipe: str) -> None:
    with pytest.raises(SportelloError, match="use it with --recipe default, in-service or anew"):
        recipe_named(recipe, Settings(), danger_false_alarms=0.05)


@pytest.mark.parametrize("share", [-0.1, 1.0, 5.0])
def test_a_false_alarm_budget_that_is_not_a_share_is_an_error(share: float) -> None:
    with pytest.raises(SportelloError, match="is not a share"):
        recipe_named("default", Settings(), danger_false_alarms=share)


def test_the_anew_recipe_fits_the_danger_part_and_puts_the_split_calm_part_on_top() -> None:
    assert "anew" in RECIPES and build_parser().parse_args(["train", "--recipe", "anew"]).recipe == "anew"
    assert recipe_named("anew", Settings(), danger_false_alarms=0.03) == TrainingParams(calm_split=True,
                                                                                        danger_false_alarms=0.03)
