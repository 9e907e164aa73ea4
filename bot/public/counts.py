"""Counts about people made safe to publish: small numbers are shown as "< N", never exactly.

Trip counts are about vehicles and are published as they are; counts of citizens' reports and
messages below ``public.min_count`` are hidden. When a part is hidden, an exact total could give
it away by subtraction (one hidden part, or hidden parts that can only add up one way), so the
total is then shown as a lower bound (``"≥ 7"``), which is still true.
"""

from __future__ import annotations

from collections.abc import Mapping

#: A published count: the number, or the text ``"< 3"`` when it is too small to show.
Shown = int | str


def shown(n: int, least: int) -> Shown:
    """``n`` when 0 or at least ``least``; ``"< least"`` otherwise."""
    return n if n == 0 or n >= least else f"< {least}"


def shown_parts(total: int, parts: Mapping[str, int], least: int) -> tuple[Shown, dict[str, Shown]]:
    """A total and its parts, with small parts hidden and no hidden part left to subtraction."""
    hidden = [k for k, n in parts.items() if 0 < n < least]
    out: dict[str, Shown] = {k: (f"< {least}" if k in hidden else n) for k, n in parts.items()}
    if total >= least and hidden:
        return f"≥ {total - sum(parts[k] for k in hidden) + len(hidden)}", out
    return shown(total, least), out


def is_hidden(value: Shown) -> bool:
    """Whether a published count was hidden for being small."""
    return isinstance(value, str)
