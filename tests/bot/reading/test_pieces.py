"""The unigram segmentation over the compact piece table: the package's own ids, and the search's rules."""

from __future__ import annotations

import random
import re

import pytest

from bot.reading.pieces import UNKNOWN_PENALTY, PieceLattice
from tests.bot.reading.float_encoder import package_tokenizer

WORD = "\u2581"
SENTENCES = ["Il 64 è in ritardo?", "metro A chiusa? 🙏", "Where is the stop for Termini, please",
             "Почему автобус опаздывает", "地铁A线关闭了吗", "Ünïcödé ÀÈ ½ ①", "ﾀｸｼｰ", "x" * 40]


def test_the_best_scoring_segmentation_wins() -> None:
    lattice = PieceLattice(["<unk>", "ab", "a", "b", "abc", "c"], [0.0, -1.0, -1.0, -1.0, -5.0, -1.0], 0)
    assert lattice.segment("abc") == [1, 5]  # ab + c (-2) beats abc (-5) and a + b + c (-3)


def test_a_tie_goes_to_the_segmentation_whose_last_piece_starts_first() -> None:
    lattice = PieceLattice(["<unk>", "a", "b", "ab"], [0.0, -1.0, -1.0, -2.0], 0)
    assert lattice.segment("ab") == [3]  # ab (-2) ties a + b (-2): the piece starting at 0 was scored first


def test_a_character_no_piece_covers_is_the_unknown_piece() -> None:
    lattice = PieceLattice(["<unk>", "a", "b"], [0.0, -1.0, -2.0], 0)
    assert lattice.segment("axb") == [1, 0, 2]
    assert lattice._unknown_score == -2.0 - UNKNOWN_PENALTY


def test_the_walk_goes_on_past_a_string_that_only_starts_a_piece() -> None:
    lattice = PieceLattice(["<unk>", "a", "abcd", "b", "c", "d"], [0.0, -1.0, -1.0, -3.0, -3.0, -3.0], 0)
    assert lattice.segment("abcd") == [2]  # "ab" and "abc" are no pieces, "abcd" is


def test_an_empty_word_is_the_unknown_piece() -> None:
    assert PieceLattice(["<unk>", "a"], [0.0, -1.0], 0).segment("") == [0]


def test_a_piece_listed_twice_takes_its_last_id() -> None:
    assert PieceLattice(["<unk>", "a", "a"], [0.0, -1.0, -1.0], 0).segment("a") == [2]


def test_the_bundled_vocabulary_segments_as_the_package_does() -> None:
    package = package_tokenizer()
    lattice = PieceLattice(package._pieces, package._scores, package._unk_id)
    words = {w for s in SENTENCES for w in re.split(f"(?={WORD})", package._normalizer.normalize(s)) if w}
    draw = random.Random(5)
    letters = [chr(c) for c in [*range(33, 127), *range(0xE0, 0x17F), *range(0x400, 0x450), *range(0x4E00, 0x4E30)]]
    words |= {WORD + "".join(draw.choice(letters) for _ in range(draw.randint(1, 20))) for _ in range(3000)}
    for word in sorted(words):
        assert lattice.segment(word) == package._viterbi(word), word


def test_a_flag_set_by_another_strings_hash_only_makes_the_walk_look_further(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.reading.pieces as pieces

    package = package_tokenizer()
    words = [w for w in re.split(f"(?={WORD})", package._normalizer.normalize(" ".join(SENTENCES))) if w]
    monkeypatch.setattr(pieces, "PREFIX_FLAGS", 1)  # one flag for every hash: the walk never stops early
    lattice = PieceLattice(package._pieces, package._scores, package._unk_id)
    monkeypatch.undo()  # the table is the lattice's own from here on
    assert lattice._prefixes == bytearray(b"\x01")
    for word in words:
        assert lattice.segment(word) == package._viterbi(word), word
