"""PNG charts of the problem log with matplotlib (Agg backend, no display needed)."""

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


def lines_chart(counts: list[Count], *, title: str, labels: dict[str, str] | None = None) -> bytes:
    """Reports per line as horizontal bars, split into matched a published alert / did not."""
    labels = labels or {}
    rows = list(reversed(counts[:15]))
    names = [labels.get(c.key, c.key) for c in rows]
    figure, axes = _pyplot().subplots(figsize=(8, max(2.5, 0.42 * len(rows) + 1.2)))
    known = [c.known for c in rows]
    unknown = [c.unknown for c in rows]
    axes.barh(names, known, color="#4c78a8", label="matched a published alert")
    axes.barh(names, unknown, left=known, color="#f58518", label="no alert (the operator did not know)")
    axes.set_xlabel("reports (distinct messages)")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize="small")
    if not rows:
        axes.text(0.5, 0.5, "no reports in this period", ha="center", va="center", transform=axes.transAxes)
    return _png(figure)


def heatmap_chart(grid: dict[str, list[int]], *, title: str, labels: dict[str, str] | None = None) -> bytes:
    """A line x hour-of-day heat map of reports."""
    labels = labels or {}
    routes = list(grid)
    figure, axes = _pyplot().subplots(figsize=(10, max(2.5, 0.4 * len(routes) + 1.5)))
    if routes:
        image = axes.imshow([grid[r] for r in routes], aspect="auto", cmap="OrRd", interpolation="nearest")
        figure.colorbar(image, ax=axes, label="reports")
        axes.set_yticks(range(len(routes)), [labels.get(r, r) for r in routes])
    else:
        axes.text(0.5, 0.5, "no reports in this period", ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks(range(24), [f"{h:02d}" for h in range(24)])
    axes.set_xlabel("hour of day (local time)")
    axes.set_title(title)
    return _png(figure)
