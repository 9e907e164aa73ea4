"""What the learned reader sees of a message: n-grams, their sparse tf-idf, and the product with the heads."""

from __future__ import annotations

import numpy as np

from bot.reading.features import Vocabulary, ngram_text, ngrams

TEXTS = ["il 64 passa?", "Il 64 non passa da 40 minuti!!", "is tram 8 running today?", "grazie 🙏", "???"]


def test_ngrams_are_padded_words_with_accents_folded_and_digits_as_zero() -> None:
    grams = ngrams("Già 64")
    assert {" gi", "gia ", " 00 ", "00"} <= set(grams)
    assert grams[" g"] == 1


def test_the_ngram_text_of_ascii_and_of_accented_text() -> None:
    """An ASCII text skips the fold of combining marks (it has none); any other text is folded as before."""
    assert ngram_text("Il 64  NON passa @atac https://x.y") == "il 00 non passa"
    assert ngram_text("Perché il 64 è così?") == "perche il 00 e cosi?"
    assert ngram_text("ｆｕｌｌ width") == "full width"


def test_the_sparse_row_is_the_dense_row() -> None:
    vocab = Vocabulary.build(TEXTS, min_count=1)
    for text in TEXTS:
        cols, values = vocab.sparse(text)
        dense = np.zeros(len(vocab.index), dtype=np.float32)
        dense[cols] = values
        assert np.allclose(dense, vocab.vector(text))


def test_a_row_is_unit_length_or_empty_when_no_ngram_is_known() -> None:
    vocab = Vocabulary.build(TEXTS, min_count=1)
    assert np.isclose(np.linalg.norm(vocab.vector("il 64 passa?")), 1.0)
    cols, values = vocab.sparse("ж")
    assert len(cols) == len(values) == 0 and not vocab.vector("ж").any()


def test_the_product_with_weights_is_the_dense_product() -> None:
    vocab = Vocabulary.build(TEXTS, min_count=1)
    weights = np.random.default_rng(0).normal(size=(len(vocab.index), 5)).astype(np.float32)
    assert np.allclose(vocab.product(TEXTS, weights), vocab.matrix(TEXTS) @ weights, atol=1e-5)


def test_a_text_without_a_known_ngram_has_a_zero_product_and_leaves_its_neighbours_alone() -> None:
    vocab = Vocabulary.build(TEXTS, min_count=1)
    weights = np.random.default_rng(1).normal(size=(len(vocab.index), 3)).astype(np.float32)
    texts = ["ж", TEXTS[0], "ж", "ж", TEXTS[1], "ж"]
    product = vocab.product(texts, weights)
    assert not product[[0, 2, 3, 5]].any()
    assert np.allclose(product[[1, 4]], vocab.matrix(TEXTS[:2]) @ weights, atol=1e-5)
    assert vocab.product(["ж"], weights).shape == (1, 3) and vocab.product([], weights).shape == (0, 3)


def test_a_texts_product_read_alone_has_the_bits_it_has_in_a_batch() -> None:
    vocab = Vocabulary.build(TEXTS, min_count=1)
    weights = np.random.default_rng(2).normal(size=(len(vocab.index), 7)).astype(np.float32)
    batch = vocab.product(TEXTS, weights)
    for row, text in enumerate(TEXTS):
        alone = vocab.product([text], weights)
        assert alone.shape == (1, 7) and alone.dtype == np.float32
        assert alone[0].tobytes() == batch[row].tobytes()


def test_the_word_cached_tokenizer_gives_the_encoders_own_piece_ids() -> None:
    from bot.evaluate import read_labelled
    from bot.reading.features import Encoder, WordCachedTokenizer
    from tests.bot.reading.float_encoder import package_tokenizer
    from tests.conftest import REPO

    tokenizer = Encoder.model()._backend.sp
    assert isinstance(tokenizer, WordCachedTokenizer)
    texts = [r.text for path in sorted((REPO / "knowledge" / "training").glob("*.jsonl")) for r in read_labelled(path)]
    texts += ["", "   ", "a  b", "il 64?!", "🙏🙏 grazie", "\u2581x", "  spazio davanti", "tab\tqui", "Ünïcödé ÀÈ",
              "a\u3000 b", "\u00a0x y\u00a0", "x \u0301y", "A\u030a b", " \u3000 ", "tab\t\tqui\r\n", "\x0bv\x1ct",
              "ﬁne ½ ① Ⅻ", "\u200b \u200bz", "e\u0301 \u0301 \u0301e"]
    package = package_tokenizer()  # the installed one's table of prefixes is dropped: a fresh one to compare with
    for text in texts:
        assert tokenizer.encode(text) == package.encode(text, out_type=int, add_bos=True, add_eos=True), text
    for text in texts[:200] + texts[-19:]:
        assert tokenizer.encode(text, out_type=str) == package.encode(text, out_type=str), text


def test_the_installed_tokenizer_no_longer_holds_the_packages_prefix_table() -> None:
    from bot.reading.features import Encoder

    assert not hasattr(Encoder.model()._backend.sp.inner, "_prefixes")


def test_no_normalisation_rule_of_the_bundled_tokenizer_holds_a_blank_past_its_first_byte() -> None:
    """What lets the cached tokenizer normalise a text's chunks between blanks one by one."""
    from bot.reading.features import _BLANK_BYTES, Encoder, blanks_split_normalisation

    normalizer = Encoder.model()._backend.sp.inner._normalizer
    assert blanks_split_normalisation(normalizer)
    units = normalizer._units
    offset = normalizer._offset
    seen, stack, inner_labels = set(), [offset(units[0])], set()
    depth = {offset(units[0]): 0}
    while stack:
        base = stack.pop()
        for c in range(1, 256):
            node = base ^ c
            if node < len(units) and (units[node] & 0x800000FF) == c:
                child = node ^ offset(units[node])
                if depth[base] >= 1:
                    inner_labels.add(c)
                if child not in seen:
                    seen.add(child)
                    depth[child] = depth[base] + 1
                    stack.append(child)
    assert len(seen) > 1000  # the walk went through the rules
    assert not inner_labels & set(_BLANK_BYTES)

