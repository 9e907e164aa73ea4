"""PNG charts of the problem log with matplotlib (Agg backend, no display needed), in Italian or English."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from bot.insight.problems import Count

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, imported on first use (it costs ~1 s and 40 MB)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


#: Every word the charts draw, in each language the console speaks (English for anything else).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "lines_title": "Reports per line, {period}",
        "heatmap_title": "Reports by line and hour, {period}",
        "known": "matched a published alert",
        "unknown": "no alert (the operator did not know)",
        "reports_axis": "reports (distinct messages)",
        "reports": "reports",
        "hour_axis": "hour of day (local time)",
        "empty": "no reports in this period",
    },
    "it": {
        "lines_title": "Segnalazioni per linea, {period}",
        "heatmap_title": "Segnalazioni per linea e ora, {period}",
        "known": "con un avviso pubblicato",
        "unknown": "senza avviso (l'azienda non lo sapeva)",
        "reports_axis": "segnalazioni (messaggi distinti)",
        "reports": "segnalazioni",
        "hour_axis": "ora del giorno (ora locale)",
        "empty": "nessuna segnalazione in questo periodo",
    },
}


def chart_words(lang: str) -> dict[str, str]:
    """The charts' words in ``lang`` (English when the language is not known)."""
    return WORDS.get(lang, WORDS["en"])


def lines_chart(counts: list[Count], *, period: str, lang: str = "en", labels: dict[str, str] | None = None) -> bytes:
    """Reports per line as horizontal bars, split into matched a published alert / did not."""
    return _png(lines_figure(counts, period=period, lang=lang, labels=labels))


def lines_figure(counts: list[Count], *, period: str, lang: str = "en", labels: dict[str, str] | None = None) -> Figure:
    """The figure ``lines_chart`` draws (``period``: the period's label, put in the title)."""
    words = chart_words(lang)
    labels = labels or {}
    rows = list(reversed(counts[:15]))
    names = [labels.get(c.key, c.key) for c in rows]
    figure, axes = _pyplot().subplots(figsize=(8, max(2.5, 0.42 * len(rows) + 1.2)))
    known = [c.known for c in rows]
    unknown = [c.unknown for c in rows]
    axes.barh(names, known, color="#4c78a8", label=words["known"])
    axes.barh(names, unknown, left=known, color="#f58518", label=words["unknown"])
    axes.set_xlabel(words["reports_axis"])
    axes.xaxis.get_major_locator().set_params(integer=True)  # reports are whole numbers
    axes.set_title(words["lines_title"].format(period=period))
    if rows:
        axes.legend(loc="lower right", fontsize="small")
    else:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=axes.transAxes)
    return figure


def heatmap_chart(grid: dict[str, list[int]], *, period: str, lang: str = "en",
                  labels: dict[str, str] | None = None) -> bytes:
    """A line x hour-of-day heat map of reports."""
    return _png(heatmap_figure(grid, period=period, lang=lang, labels=labels))


def heatmap_figure(grid: dict[str, list[int]], *, period: str, lang: str = "en",
                   labels: dict[str, str] | None = None) -> Figure:
    """The figure ``heatmap_chart`` draws."""
    words = chart_words(lang)
    labels = labels or {}
    routes = list(grid)
    figure, axes = _pyplot().subplots(figsize=(10, max(2.5, 0.4 * len(routes) + 1.5)))
    if routes:
        image = axes.imshow([grid[r] for r in routes], aspect="auto", cmap="OrRd", interpolation="nearest")
        figure.colorbar(image, ax=axes, label=words["reports"])
        axes.set_yticks(range(len(routes)), [labels.get(r, r) for r in routes])
    else:
        axes.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    axes.set_xlabel(words["hour_axis"])
    axes.set_title(words["heatmap_title"].format(period=period))
    return figure
