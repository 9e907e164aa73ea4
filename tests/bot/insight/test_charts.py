"""The problem charts draw every word in the console's language."""

from __future__ import annotations

from typing import Any

from bot.insight import charts
from bot.insight.problems import Count

PERIOD = "2026-11-23 00:00 → 2026-11-24 00:00"


def _words(figure: Any) -> set[str]:
    found: set[str] = set()
    for axes in figure.axes:
        found |= {axes.get_title(), axes.get_xlabel(), axes.get_ylabel()}
        found |= {text.get_text() for text in axes.texts}
        legend = axes.get_legend()
        if legend is not None:
            found |= {text.get_text() for text in legend.get_texts()}
    found.discard("")
    charts._pyplot().close(figure)
    return found


def test_the_lines_chart_in_italian() -> None:
    figure = charts.lines_figure([Count("64", 3, 1)], period=PERIOD, lang="it")
    assert _words(figure) == {
        f"Segnalazioni per linea, {PERIOD}", "segnalazioni (messaggi distinti)",
        "con un avviso pubblicato", "senza avviso (l'azienda non lo sapeva)",
    }


def test_an_empty_lines_chart_says_so_without_a_legend() -> None:
    assert _words(charts.lines_figure([], period=PERIOD, lang="it")) == {
        f"Segnalazioni per linea, {PERIOD}", "segnalazioni (messaggi distinti)", "nessuna segnalazione in questo periodo",
    }


def test_an_empty_heatmap_in_italian_and_english() -> None:
    italian = _words(charts.heatmap_figure({}, period=PERIOD, lang="it"))
    assert italian == {f"Segnalazioni per linea e ora, {PERIOD}", "ora del giorno (ora locale)",
                       "nessuna segnalazione in questo periodo"}
    english = _words(charts.heatmap_figure({}, period=PERIOD, lang="en"))
    assert f"Reports by line and hour, {PERIOD}" in english and "no reports in this period" in english


def test_every_language_has_every_word() -> None:
    assert all(set(words) == set(charts.WORDS["en"]) for words in charts.WORDS.values())
    assert charts.chart_words("fr") == charts.WORDS["en"]
