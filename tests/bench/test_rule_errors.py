"""How bench/rule_errors.py tells a rule's reading from a label."""

from bench.rule_errors import difference, training_files


def test_the_same_values_are_no_error_whatever_their_order() -> None:
    assert difference(["64", "40"], ("40", "64")) is None


def test_more_less_or_other_values_than_labelled() -> None:
    assert difference(["70"], ["40", "70"]) == "extra"
    assert difference(["248", "249"], ["249"]) == "missing"
    assert difference(["8"], ["30"]) == "other"


def test_the_files_read_are_training_files_and_never_sealed_ones() -> None:
    files = training_files()
    assert files and all(path.suffix == ".jsonl" for path in files)
    assert not any("sealed" in path.parts for path in files)
