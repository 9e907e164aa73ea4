"""Shared Hypothesis settings and strategies for the fuzz tests: bounded, repeatable, no example database."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def bounded(max_examples: int) -> Any:
    """Settings for a fuzz test in the suite: few examples, derandomized, no deadline, no database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


#: Text as an attacker types it: any code point, lone surrogates and NUL included.
hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
    st.sampled_from(["\x00", "\ud800", "a\udfffb", "'; DROP TABLE messages;--", "<script>", "%00", "🚍" * 30,
                     "9" * 400, "-1", "1e309", "0001-01-01", "100000000d", "\u202e", "../../etc/passwd"]),
)

#: Any JSON value, nested a little.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
