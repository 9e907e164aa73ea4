"""bench/stop_finding.py: the figures it reports of what the stop and line finders found."""

from __future__ import annotations

from bench.stop_finding import by_language, found_figures


def _row(lang: str, stops: list[str], routes: list[str] | None = None) -> dict[str, object]:
    return {"lang": lang, "stops": stops, "routes": routes or []}


def test_stops_are_counted_as_found_right_wrong_and_missed() -> None:
    pairs = [(_row("it", ["TERMINI (MA-MB-FS)"]), ["TERMINI (MA-MB-FS)"], []),
             (_row("ru", ["COLOSSEO (MB)", "SPAGNA (MA)"]), ["COLOSSEO (MB)", "MILANO"], []),
             (_row("ja", []), [], [])]
    figures = found_figures(pairs)
    assert figures["stops_found_right_wrong_missed"] == [2, 1, 1]
    assert (figures["stop_precision"], figures["stop_recall"]) == (0.667, 0.667)
    assert figures["stops_exact"] == round(2 / 3, 3)


def test_routes_count_only_when_exactly_those_labelled() -> None:
    pairs = [(_row("en", [], ["64"]), [], ["64"]), (_row("es", [], ["64"]), [], ["64", "40"])]
    assert found_figures(pairs)["routes_exact"] == 0.5


def test_figures_are_split_between_italian_english_and_the_other_languages() -> None:
    pairs = [(_row("it", []), [], []), (_row("en", ["X"]), [], []), (_row("th", ["X"]), ["X"], [])]
    figures = by_language(pairs)
    assert [figures[k]["messages"] for k in ("all", "it_en", "other_languages")] == [3, 2, 1]
    assert figures["other_languages"]["stops_exact"] == 1.0
    assert found_figures([]) == {"messages": 0}
