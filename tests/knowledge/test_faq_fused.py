"""The fused FAQ engine for utility FAQs: two encoders, answers, tags and words; calibrated on its own entries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.faq_entries import FaqEntry, FaqError, read_entries
from knowledge.faq_fused import SYNONYMS_FILE, FusedFaqIndex, FusedWeights, answer_sentences, read_synonyms

SMALL_FAQ = Path(__file__).parent / "data" / "water_faq_small.yaml"


@pytest.fixture(scope="module")
def index() -> FusedFaqIndex:
    return FusedFaqIndex(read_entries([SMALL_FAQ]))


def test_tags_are_read_from_yaml() -> None:
    entries = {entry.id: entry for entry in read_entries([SMALL_FAQ])}
    assert entries["meter.frost"].tags == ("contatore", "gelo", "inverno", "protezione")


def test_tags_as_one_comma_separated_string_are_split(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text("- {id: a, topic: t, tags: 'uno, due', questions: {it: [q]}, answer: {it: r}}\n", encoding="utf-8")
    assert read_entries([faq])[0].tags == ("uno", "due")


def test_tags_of_the_wrong_type_name_the_key(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text("- {id: a, topic: t, tags: 3, questions: {it: [q]}, answer: {it: r}}\n", encoding="utf-8")
    with pytest.raises(FaqError, match="'tags'"):
        read_entries([faq])


def test_a_question_in_citizens_words_finds_its_formal_entry(index: FusedFaqIndex) -> None:
    assert index.rank("il contatore si è congelato con il freddo, come lo copro?", k=1)[0].faq_id == "meter.frost"


def test_words_only_the_answer_holds_find_the_entry(index: FusedFaqIndex) -> None:
    # "tabaccheria" and "bollettino" are in the payment answer only, never in a question
    assert index.rank("posso pagare in tabaccheria col bollettino?", k=1)[0].faq_id == "payment.methods"


def test_an_english_question_finds_the_italian_entry(index: FusedFaqIndex) -> None:
    assert index.rank("Is tap water safe to drink?", k=1)[0].faq_id == "water.quality"


def test_a_clear_question_is_answered_alone(index: FusedFaqIndex) -> None:
    found = index.match("come faccio la voltura del contratto dell'acqua?")
    assert found is not None and found.faq_id == "contract.transfer"


@pytest.mark.parametrize("text", ["chi ha vinto la partita ieri sera?", "che tempo fa domani a Bari?"])
def test_an_off_topic_question_is_left_for_a_person(index: FusedFaqIndex, text: str) -> None:
    assert index.match(text) is None


def test_rank_returns_k_matches_best_first_in_the_unit_interval(index: FusedFaqIndex) -> None:
    ranked = index.rank("la bolletta è troppo alta", k=3)
    assert len(ranked) == 3
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in ranked)


def test_the_answer_line_is_calibrated_on_the_entries_leave_one_out(index: FusedFaqIndex) -> None:
    confidences = index.unanswerable_confidences()
    assert len(confidences) == len(index.entries)  # each entry's question, asked with the entry left out
    answered = sum(c >= index.line for c in confidences)
    assert 0.0 < index.line < 1.0
    assert answered / len(confidences) <= 0.3 + 1 / len(confidences)


def test_scores_put_the_calibrated_line_at_one_half() -> None:
    entries = read_entries([SMALL_FAQ])
    low, high = FusedFaqIndex(entries, line=0.9), FusedFaqIndex(entries, line=0.01)
    text = "come faccio la voltura del contratto dell'acqua?"
    assert low.rank(text, k=1)[0].score < 0.5 <= high.rank(text, k=1)[0].score
    assert low.match(text) is None and high.match(text) is not None


def test_a_given_threshold_is_kept_and_checked() -> None:
    entries = read_entries([SMALL_FAQ])
    assert FusedFaqIndex(entries, threshold=0.3).threshold == 0.3
    with pytest.raises(FaqError, match="threshold"):
        FusedFaqIndex(entries, threshold=1.5)


def test_weights_decide_what_counts() -> None:
    entries = read_entries([SMALL_FAQ])
    answers_only = FusedFaqIndex(
        entries, weights=FusedWeights(question=0.0, answer=1.0, lexical=0.0, e5=0.0, answer_e5=0.0), line=0.5
    )
    # the quality answer speaks of the smell of chlorine; its question does not
    assert answers_only.rank("puzza di cloro", k=1)[0].faq_id == "water.quality"


def test_an_injected_encoder_is_used() -> None:
    calls: list[int] = []

    def encoder(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.eye(len(texts), 8)[:, :8] if len(texts) <= 8 else np.ones((len(texts), 8)) / np.sqrt(8)

    entry = FaqEntry("a", "t", {"it": ("domanda",)}, {"it": "una risposta abbastanza lunga da contare."})
    FusedFaqIndex([entry], encoder=encoder, weights=FusedWeights(e5=0.0, answer_e5=0.0), line=0.5)
    assert calls


def test_answer_and_unknown_id(index: FusedFaqIndex) -> None:
    assert "isolante" in index.answer("meter.frost", "en")
    with pytest.raises(FaqError, match="unknown"):
        index.answer("nope", "it")


def test_an_everyday_word_finds_the_formal_one_through_the_synonyms() -> None:
    entries = [
        FaqEntry("a", "t", {"it": ("Come si legge la fattura?",)}, {"it": "La fattura riporta i consumi del periodo."}),
        FaqEntry("b", "t", {"it": ("Come si legge il contatore?",)}, {"it": "Il contatore mostra i metri cubi."}),
    ]
    words_only = FusedWeights(question=0.0, answer=0.0, lexical=1.0, e5=0.0, answer_e5=0.0)
    with_synonyms = FusedFaqIndex(entries, weights=words_only, line=0.5)
    without = FusedFaqIndex(entries, weights=words_only, line=0.5, synonyms=())
    assert with_synonyms.rank("la bolletta", k=1)[0].faq_id == "a"
    assert with_synonyms.rank("la bolletta", k=1)[0].score > 0.0
    assert without.rank("la bolletta", k=1)[0].score == 0.0


class _CountingE5:
    """A stand-in for e5 that counts the texts it embeds (fixed random vectors, one per text)."""

    def __init__(self) -> None:
        self.texts = 0

    def _embed(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        vectors = np.array([np.random.default_rng(sum(map(ord, t))).normal(size=8) for t in texts])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    query = passage = _embed


def test_the_entries_e5_vectors_are_kept_in_the_cache_folder(tmp_path: Path) -> None:
    entries = read_entries([SMALL_FAQ])
    first, second = _CountingE5(), _CountingE5()
    FusedFaqIndex(entries, e5=first, cache_dir=tmp_path, line=0.5)
    FusedFaqIndex(entries, e5=second, cache_dir=tmp_path, line=0.5)
    sentences = sum(len(answer_sentences(answer)) for entry in entries for answer in entry.answer.values())
    assert first.texts == 2 * len(entries) + sentences  # each question as a passage and a query, each sentence
    assert second.texts == 0
    assert len(list(tmp_path.glob("faq-e5-*.npz"))) == 1


def test_the_same_entries_built_again_in_the_process_are_not_embedded_again() -> None:
    entries = read_entries([SMALL_FAQ])
    counting = _CountingE5()
    first = FusedFaqIndex(entries, e5=counting, line=0.5)
    asked = counting.texts
    again = FusedFaqIndex(entries, e5=counting, line=0.5)
    assert asked > 0 and counting.texts == asked
    assert [m.faq_id for m in again.rank("la bolletta è troppo alta")] == [
        m.faq_id for m in first.rank("la bolletta è troppo alta")]
    changed = [*entries[1:], entries[0]]  # other content: embedded anew
    FusedFaqIndex(changed, e5=counting, line=0.5)
    assert counting.texts > asked


def test_without_e5_weight_the_e5_encoder_is_never_asked() -> None:
    counting = _CountingE5()
    index = FusedFaqIndex(read_entries([SMALL_FAQ]), e5=counting, weights=FusedWeights(e5=0.0, answer_e5=0.0), line=0.5)
    index.rank("la bolletta è troppo alta")
    assert counting.texts == 0


def test_e5_alone_finds_an_everyday_question() -> None:
    e5_only = FusedFaqIndex(
        read_entries([SMALL_FAQ]), weights=FusedWeights(question=0.0, lexical=0.0, e5=1.0, answer_e5=0.0), line=0.5
    )
    # no word of "la bolletta è troppo alta" is in the question "... una fattura di importo elevato?"
    assert e5_only.rank("la bolletta è troppo alta", k=1)[0].faq_id == "billing.high_bill"
    assert e5_only.rank("posso bere l'acqua del rubinetto?", k=1)[0].faq_id == "water.quality"


def test_the_shipped_synonyms_are_groups_of_at_least_two_distinct_words() -> None:
    groups = read_synonyms(SYNONYMS_FILE)
    assert len(groups) >= 20
    assert all(len(set(group)) == len(group) >= 2 for group in groups)
    assert any("bolletta" in group and "fattura" in group for group in groups)


@pytest.mark.parametrize("text", ["groups: nope\n", "groups:\n  - [solo]\n", "[1, 2]\n", "groups: [[a, 3]]\n"])
def test_a_malformed_synonyms_file_is_refused_naming_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FaqError, match="synonyms.yaml"):
        read_synonyms(path)


def test_a_synonym_counts_less_than_the_message_own_word() -> None:
    entries = [
        FaqEntry("own", "t", {"it": ("Come si paga la bolletta?",)}, {"it": "Con il bollettino."}),
        FaqEntry("formal", "t", {"it": ("Come si paga la fattura?",)}, {"it": "Con il bollettino."}),
    ]
    words_only = FusedWeights(question=0.0, answer=0.0, lexical=1.0, e5=0.0, answer_e5=0.0)
    index = FusedFaqIndex(entries, weights=words_only, line=0.5, synonyms=(("bolletta", "fattura"),))
    ranked = index.rank("pagare la bolletta", k=2)
    assert [m.faq_id for m in ranked] == ["own", "formal"]


def test_e5_over_the_answer_sentences_alone_finds_words_only_the_answer_holds() -> None:
    sentences_only = FusedFaqIndex(
        read_entries([SMALL_FAQ]), weights=FusedWeights(question=0.0, lexical=0.0, e5=0.0, answer_e5=1.0), line=0.5
    )
    # the smell of chlorine and the jug are in the quality answer, never in its question
    assert sentences_only.rank("l'acqua sa di cloro, la lascio in una caraffa?", k=1)[0].faq_id == "water.quality"
    # the tobacconist is in the payment answer only
    assert sentences_only.rank("si paga anche dal tabaccaio?", k=1)[0].faq_id == "payment.methods"


class _SharedDirectionE5:
    """A stand-in for e5 whose vectors share one large direction, as e5's do, plus a small one of their own.

    Texts holding "acqua" lean on axis 1, "fattura" on axis 2, anything else on axis 3; queries also carry
    their own offset (axis 4), as "query: " does in e5.
    """

    @staticmethod
    def _own(text: str) -> np.ndarray:
        axis = 1 if "acqua" in text else 2 if "fattura" in text else 3
        return np.eye(6)[axis]

    def passage(self, texts: list[str]) -> np.ndarray:
        rows = np.array([3.0 * np.eye(6)[0] + self._own(t) for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def query(self, texts: list[str]) -> np.ndarray:
        rows = np.array([3.0 * np.eye(6)[0] + 2.0 * np.eye(6)[4] + self._own(t) for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _three_entries() -> list[FaqEntry]:
    return [
        FaqEntry("water", "t", {"it": ("acqua torbida",)}, {"it": "Lasci scorrere l'acqua per qualche minuto."}),
        FaqEntry("bill", "t", {"it": ("fattura alta",)}, {"it": "Controlli la lettura nella fattura ricevuta."}),
        FaqEntry("other", "t", {"it": ("orari",)}, {"it": "Gli sportelli aprono alle nove di mattina."}),
    ]


def test_e5_vectors_are_centred_on_the_entry_set_so_unrelated_entries_score_nothing() -> None:
    e5_only = FusedWeights(question=0.0, lexical=0.0, e5=1.0, answer_e5=0.0)
    index = FusedFaqIndex(_three_entries(), e5=_SharedDirectionE5(), weights=e5_only, line=0.5)
    raw = _SharedDirectionE5()
    # raw cosines of unrelated texts are high (0.9: the shared direction); centred, they fall below the floor
    assert float(raw.query(["acqua"])[0] @ raw.passage(["fattura alta"])[0]) > 0.6
    scores = index._scores(index._message("acqua marrone"))
    assert scores[0] == pytest.approx(1.0)
    assert scores[1] == scores[2] == 0.0


def test_the_e5_floors_are_the_median_similarity_to_other_entries() -> None:
    index = FusedFaqIndex(_three_entries(), e5=_SharedDirectionE5(), line=0.5)
    question_floor, sentence_floor = index._e5_floors
    # three one-axis entries centred on their mean: every question is at cosine -1/2 from the others
    assert question_floor == pytest.approx(-0.5)
    assert -1.0 <= sentence_floor < 1.0


def test_the_encoders_read_a_message_with_its_synonyms_in_brackets() -> None:
    read: list[str] = []

    def encoder(texts: list[str]) -> np.ndarray:
        read.extend(texts)
        return np.ones((len(texts), 4)) / 2.0

    entries = [FaqEntry("a", "t", {"it": ("Come si legge la fattura?",)}, {"it": "La fattura riporta i consumi."})]
    use_only = FusedWeights(question=1.0, lexical=0.0, e5=0.0, answer_e5=0.0)
    index = FusedFaqIndex(entries, encoder=encoder, weights=use_only, line=0.5, synonyms=(("bolletta", "fattura"),))
    read.clear()
    index.rank("la bolletta è alta")
    assert read == ["la bolletta è alta (fattura)"]
    plain = FusedFaqIndex(entries, encoder=encoder, weights=use_only, line=0.5, synonyms=())
    read.clear()
    plain.rank("la bolletta è alta")
    assert read == ["la bolletta è alta"]


def test_a_word_already_in_the_message_is_not_added_again() -> None:
    index = FusedFaqIndex(
        _three_entries(), e5=_SharedDirectionE5(), line=0.5, synonyms=(("bolletta", "fattura", "bill"),)
    )
    assert index._with_synonyms("bolletta o fattura?") == "bolletta o fattura? (bill)"
    assert index._with_synonyms("orari degli sportelli") == "orari degli sportelli"


def test_calibration_asks_the_stored_questions_with_their_synonyms() -> None:
    asked: list[str] = []

    class RecordingE5(_SharedDirectionE5):
        def query(self, texts: list[str]) -> np.ndarray:
            asked.extend(texts)
            return super().query(texts)

    FusedFaqIndex(_three_entries(), e5=RecordingE5(), line=None, synonyms=(("fattura", "bolletta"),))
    assert "fattura alta (bolletta)" in asked
