"""The FAQ choice learnt from labelled messages: prototypes, their fingerprints, the router's use of them, and the
held-out folds the calibrator's routes are made with."""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.domain import Intent
from bot.evaluate import Labelled
from bot.reading import training
from bot.reading.faq_choice import FaqPrototypes, build_prototypes, fingerprint, fused_best, fused_order, unit
from bot.reading.danger import DangerReading
from bot.reading.features import Encoder
from bot.reading.model import FAQ_FORMAT, ReaderModel
from bot.reading.router import Router
from bot.reading.training import TrainingParams, faq_prototypes, read_grouped
from knowledge.faq import FaqIndex
from knowledge.faq_entries import FaqEntry
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW

ENTRY = FaqEntry("a", "t", {"it": ("come si compra il biglietto?",)}, {"it": "Alle macchinette."})
OTHER = FaqEntry("b", "t", {"it": ("dove trovo gli oggetti smarriti?",)}, {"it": "All'ufficio."})
MESSAGE = "ho perso lo zaino sul tram, a chi lo chiedo?"


def _vectors(n: int, seed: int = 0) -> np.ndarray:
    return unit(np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32))


def test_an_entrys_fingerprint_changes_with_its_questions_only() -> None:
    assert fingerprint(ENTRY) == fingerprint(replace(ENTRY, answer={"it": "Online."}))
    assert fingerprint(ENTRY) != fingerprint(replace(ENTRY, questions={"it": ("come pago il biglietto?",)}))


def test_only_entries_labelled_on_some_message_get_a_prototype_of_their_messages_and_questions() -> None:
    questions, messages = _vectors(2), _vectors(3, seed=1)
    made = build_prototypes([ENTRY, OTHER], questions, np.array([0, 1]), messages, ["b", None, "b"])
    assert made.ids == ("b",) and made.counts == (2,) and made.fingerprints == (fingerprint(OTHER),)
    assert np.allclose(made.vectors[0], unit(questions[1] + messages[0] + messages[2]))


def test_an_edited_or_new_entry_is_met_by_its_questions_mean_not_by_a_stale_prototype() -> None:
    questions = _vectors(2)
    stored = FaqPrototypes(("a", "b"), (fingerprint(ENTRY), "stale"), _vectors(2, seed=5), (3, 4))
    matrix = stored.matrix([ENTRY, OTHER, replace(OTHER, id="c")], unit(np.vstack([questions, questions[:1]])))
    assert np.allclose(matrix[0], stored.vectors[0])  # unchanged: its learnt prototype
    assert np.allclose(matrix[1], questions[1]) and np.allclose(matrix[2], questions[0])  # edited, new: questions


def test_the_fused_order_weighs_the_cosine_beside_the_lexical_score() -> None:
    assert fused_order(np.array([0.9, 0.2]), np.array([0.1, 0.3]), 1.0).tolist() == [0, 1]
    assert fused_order(np.array([0.9, 0.2]), np.array([0.1, 0.3]), 6.0).tolist() == [1, 0]


def test_the_fused_best_is_the_first_of_the_fused_order_ties_to_the_lower_number() -> None:
    draw = np.random.default_rng(3)
    for _ in range(200):
        lexical = draw.choice([0.0, 0.25, 0.5], size=6)
        cosines = draw.choice([0.0, 0.1, 0.2], size=6).astype(np.float32)
        assert fused_best(lexical.tolist(), cosines, 6.0) == fused_order(lexical, cosines, 6.0)[0]
    assert fused_best([0.5, 0.5], np.zeros(2, np.float32), 6.0) == 0


def _prototype_for(faq_id: str, text: str) -> FaqPrototypes:
    entry = next(e for e in eval_knowledge().faq.entries if e.id == faq_id)
    return FaqPrototypes((faq_id,), (fingerprint(entry),), unit(Encoder.encode([text])), (1,), weight=100.0)


@lru_cache(maxsize=1)
def _lexical_choice() -> tuple[str | None, str]:
    """The shipped model's entry for :data:`MESSAGE`, and an entry it did not choose."""
    decision = Router(eval_knowledge(), model=ReaderModel.cached()).route(MESSAGE, now=EVAL_NOW)
    assert decision.intent == Intent.FAQ
    other = next(e.id for e in eval_knowledge().faq.entries if e.id != decision.faq_id)
    return decision.faq_id, other


def test_a_prototype_near_the_message_chooses_its_entry() -> None:
    _chosen, other = _lexical_choice()
    model = replace(ReaderModel.cached(), faq_prototypes=_prototype_for(other, MESSAGE))
    facts = Router(eval_knowledge(), model=model).read(MESSAGE, now=EVAL_NOW)
    assert facts.decision.faq_id == other
    assert 0.0 <= facts.confidence_facts["faq_margin"] <= facts.confidence_facts["faq_score"] <= 1.0


def test_the_prototype_of_an_entry_the_operator_edited_is_ignored() -> None:
    _chosen, other = _lexical_choice()
    stale = replace(_prototype_for(other, MESSAGE), fingerprints=("edited",))
    none = replace(stale, ids=(), fingerprints=(), vectors=np.zeros((0, stale.vectors.shape[1]), np.float32), counts=())
    with_stale = Router(eval_knowledge(), model=replace(ReaderModel.cached(), faq_prototypes=stale))
    with_none = Router(eval_knowledge(), model=replace(ReaderModel.cached(), faq_prototypes=none))
    assert with_stale.route(MESSAGE, now=EVAL_NOW).faq_id == with_none.route(MESSAGE, now=EVAL_NOW).faq_id != other


def test_a_model_with_prototypes_saves_and_loads_them(tmp_path: Path) -> None:
    stored = replace(_prototype_for(_lexical_choice()[1], MESSAGE), weight=6.0)
    replace(ReaderModel.cached(), faq_prototypes=stored, danger_reading=DangerReading.MEAN).save(tmp_path / "m.npz")
    loaded = ReaderModel.load(tmp_path / "m.npz")
    assert loaded.faq_prototypes is not None and loaded.calm_head is not None
    assert loaded.faq_prototypes.to_meta() == stored.to_meta()
    assert np.array_equal(loaded.faq_prototypes.vectors, stored.vectors)
    assert np.load(tmp_path / "m.npz")["meta"].tobytes().find(f'"format": {FAQ_FORMAT}'.encode()) >= 0


def _labelled(n: int) -> list[Labelled]:
    ids = [e.id for e in eval_knowledge().faq.entries][:2]
    return [Labelled.from_dict({"id": f"m{i}", "text": f"messaggio numero {i}", "intent": "faq",
                                "faq_id": ids[i % 2]}) for i in range(n)]


def test_a_folds_prototypes_never_hold_a_message_of_that_fold() -> None:
    examples, fold = _labelled(8), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    embeddings = _vectors(8, seed=2)
    embeddings = np.hstack([embeddings, np.zeros((8, 504), np.float32)])
    _final, by_fold = faq_prototypes(examples, embeddings, eval_knowledge(), fold, 3, TrainingParams())
    for k in range(3):
        moved = embeddings.copy()
        moved[fold == k] = _vectors(int((fold == k).sum()), seed=9 + k).repeat(64, axis=1)
        _again, by_fold_moved = faq_prototypes(examples, moved, eval_knowledge(), fold, 3, TrainingParams())
        assert np.array_equal(by_fold[k].vectors, by_fold_moved[k].vectors)  # type: ignore[union-attr]
        assert not np.array_equal(by_fold[(k + 1) % 3].vectors, by_fold_moved[(k + 1) % 3].vectors)  # type: ignore[union-attr]


def test_each_held_out_message_is_routed_with_the_prototypes_of_the_other_folds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, int | None]] = []
    read = Router.read

    def spy(self: Router, text: str, **kwargs: object) -> object:
        protos = self.model.faq_prototypes
        seen.append((text, None if protos is None else sum(protos.counts)))
        return read(self, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Router, "read", spy)
    examples, fold = _labelled(6), np.array([0, 0, 0, 0, 1, 1])
    embeddings = np.vstack([Encoder.encode([e.text for e in examples])])
    _final, by_fold = faq_prototypes(examples, embeddings, eval_knowledge(), fold, 2, TrainingParams())
    readings = ReaderModel.cached().read_many([e.text for e in examples], embeddings)
    training.calibrated(readings, examples, ReaderModel.cached(), eval_knowledge(), EVAL_NOW, fold, 2,
                        TrainingParams(), by_fold)
    # fold 0's four messages routed with the two of fold 1, fold 1's with the four of fold 0
    assert [count for _text, count in seen] == [2, 2, 2, 2, 4, 4]


def test_agents_corrections_feed_the_prototypes_like_any_labelled_message(tmp_path: Path) -> None:
    faq_id = eval_knowledge().faq.entries[0].id
    correction = {"text": "una correzione di un agente", "intent": "faq", "faq_id": faq_id}
    examples, groups, _sources = read_grouped([], [correction])
    final, _by_fold = faq_prototypes(examples, Encoder.encode([e.text for e in examples]), eval_knowledge(),
                                     np.zeros(1, int), 1, TrainingParams())
    assert groups == [training.CORRECTIONS] and final is not None and dict(zip(final.ids, final.counts)) == {faq_id: 1}


def test_an_entry_removed_from_a_reloaded_faq_is_no_longer_chosen() -> None:
    _chosen, other = _lexical_choice()
    knowledge = copy.copy(eval_knowledge())
    router = Router(knowledge, model=replace(ReaderModel.cached(), faq_prototypes=_prototype_for(other, MESSAGE)))
    assert router.route(MESSAGE, now=EVAL_NOW).faq_id == other
    knowledge.faq = FaqIndex.from_entries([e for e in eval_knowledge().faq.entries if e.id != other])
    decision = router.route(MESSAGE, now=EVAL_NOW)
    assert decision.faq_id is not None and decision.faq_id != other


def test_a_reloaded_faq_is_embedded_again_for_the_meaning_of_its_questions() -> None:
    chosen, _other = _lexical_choice()
    model = replace(ReaderModel.cached(), faq_prototypes=None)  # the lexical choice, with the questions' meaning
    knowledge = copy.copy(eval_knowledge())
    knowledge.faq = FaqIndex.from_entries([e for e in eval_knowledge().faq.entries if e.id != chosen])
    router = Router(knowledge, model=model)
    assert router.route(MESSAGE, now=EVAL_NOW).faq_id != chosen
    knowledge.faq = eval_knowledge().faq  # the entry is back: its questions count as if never away
    again, fresh = router.route(MESSAGE, now=EVAL_NOW), Router(eval_knowledge(), model=model).route(MESSAGE, now=EVAL_NOW)
    assert (again.faq_id, again.action, again.confidence) == (fresh.faq_id, fresh.action, fresh.confidence)
    assert again.faq_id == chosen
