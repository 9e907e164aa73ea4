"""Checks shared by the tests of the rule steps' word-list files (line_words.yaml, stop_words.yaml)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType


def lists_read(modules: tuple[ModuleType, ...], name: str) -> set[str]:
    """The attributes the modules' source reads of the object named ``name`` (``WORDS.<key>``)."""
    read: set[str] = set()
    for module in modules:
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        read |= {n.attr for n in ast.walk(tree)
                 if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}
    return read


def uncommented_keys(file: Path) -> list[str]:
    """The top-level keys of a YAML file with no comment on the line right above them."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return [m.group(1) for n, line in enumerate(lines) if (m := re.match(r"(\w+):", line))
            and not (n > 0 and lines[n - 1].startswith("#"))]


def broken_copy(tmp_path: Path, file: Path, old: str, new: str) -> Path:
    """A copy of ``file`` in ``tmp_path`` with its first ``old`` written ``new``."""
    text = file.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / file.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path
