"""Language models through their one interface, on the real bundled weights."""

import dataclasses

import pytest

from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.lm.base import Continuation


def test_registry_pins_every_model():
    models = registry.registry()
    assert registry.default_model() == "smollm2-135m"
    for spec in models.values():
        assert len(spec.sha256) == 64 and spec.licence and spec.install


def test_unknown_model_is_a_clear_error():
    with pytest.raises(MtqaError, match="unknown model 'gpt-9'.*smollm2-135m"):
        registry.load("gpt-9")


def test_missing_package_names_the_install_command():
    spec = dataclasses.replace(registry.spec("trigram"), package="no-such-package-xyz", install="pip install no-such-package-xyz")
    with pytest.raises(MtqaError, match="not installed; install it with: pip install no-such-package-xyz"):
        registry.verified_weights(spec)


def test_sha256_mismatch_is_refused():
    spec = dataclasses.replace(registry.spec("trigram"), sha256="0" * 64)
    with pytest.raises(MtqaError, match="sha256"):
        registry.verified_weights(spec)


def test_converted_cache_has_a_manifest(smollm):
    folder = registry.cache_root() / f"smollm2-135m-{registry.spec('smollm2-135m').sha256[:16]}"
    assert (folder / "manifest.json").is_file()
    assert (folder / "model.safetensors").is_file()
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt"))  # never pickles


@pytest.mark.parametrize("model", ["smollm", "trigram"])
def test_wrong_term_is_more_surprising(model, request):
    lm = request.getfixturevalue(model)
    good, bad = lm.sentence_logprob(["Russia is a key player in the Middle East.", "Russia is a key player in the mediate East."])
    assert good > bad + 10


@pytest.mark.parametrize("model", ["smollm", "trigram"])
def test_continuations_rank_candidates(model, request):
    lm = request.getfixturevalue(model)
    text = "The resolution went to the UN safety Council on Monday."
    cut = text.index(" safety")
    original, better = lm.continuations([Continuation(text, cut, (" safety Council on", " Security Council on"))])[0]
    assert better > original + 3


def test_cached_continuation_matches_a_full_pass(smollm):
    """Rescoring from the cached prefix gives the same numbers as scoring the whole variant text."""
    text = "Putin and Iranian abroad Minister Abbas Araghchi met in Moscow."
    cut = text.index(" abroad")
    variants = (" abroad Minister Abbas", " Foreign Minister Abbas")
    cached = smollm.continuations([Continuation(text, cut, variants)])[0]
    prefix = smollm.sentence_logprob([text[:cut]])[0]
    full = [smollm.sentence_logprob([text[:cut] + v])[0] - prefix for v in variants]
    assert cached == pytest.approx(full, abs=0.5)


def test_word_logprobs_cover_each_word(smollm):
    text = "Lavrow spoke in Aszchabad.One theme was war."
    scores = smollm.analyse([text], top_k=5)[0]
    assert len(scores.logprobs) == len(scores.spans)
    assert scores.word_logprob(text.index("Aszchabad"), text.index("Aszchabad") + 9) < -10
    predictions = scores.predictions_at(text.index("theme"))
    assert predictions and all(isinstance(w, str) and lp <= 0 for w, lp in predictions)


def test_predictions_are_decoded_words_not_byte_pieces(smollm):
    """Before an opening quote the model's favourite tokens are punctuation bytes ("âĢľ" is the
    first two bytes of “): predictions offer only whole words, decoded."""
    text = "He called the talks a change of language from Washington – “quiet” and slow."
    scores = smollm.analyse([text], top_k=40)[0]
    offered = {w for start in (text.index("quiet") - 1, text.index("Washington")) for w, _ in scores.predictions_at(start)}
    assert offered and all(w.isalpha() and not any(ch in w for ch in "âĢĵľ") for w in offered)
    assert all(w.isalpha() for w in smollm._vocab_words.values()) and "García" in smollm._vocab_words.values()


def test_unchanged_variant_is_read_off_the_analysis(smollm):
    """The text as it stands costs no rescoring, and equals what a rescored row would give."""
    text = "Putin and Iranian abroad Minister Abbas Araghchi met in Moscow."
    cut = text.index(" abroad")
    smollm.analyse([text])
    read_off = smollm.continuations([Continuation(text, cut, (" abroad Minister Abbas",))])[0][0]
    # A different cut puts the same words through a rescored row: " Iranian" is part of the variant.
    start = text.index(" Iranian")
    rescored = smollm.continuations([Continuation(text, start, (" Iranian abroad Minister Abbas", " Iranian X"))])[0][0]
    iranian = smollm.continuations([Continuation(text, start, (" Iranian",))])[0][0]
    assert read_off == pytest.approx(rescored - iranian, abs=0.05)


def test_batches_count_the_longest_item_of_each_axis(smollm):
    batches = smollm._batches([(2, 100), (2, 0), (2, 0)], lambda item: item)
    assert sum(map(len, batches)) == 3
    for batch in batches:
        widest = tuple(map(max, *batch)) if len(batch) > 1 else batch[0]
        assert len(batch) == 1 or len(batch) * sum(widest) <= smollm.batch_tokens


def test_memo_answers_repeated_questions_without_the_model(smollm):
    from mtqa.lm.memo import MemoLM

    calls = []
    memo = MemoLM(smollm)
    original = smollm.continuations
    text = "The safety Council met."
    request = Continuation(text, text.index(" safety"), (" safety Council", " Security Council"))
    first = memo.continuations([request])
    smollm.continuations = lambda requests: calls.append(requests) or original(requests)
    try:
        again = memo.continuations([request])
        analysed = memo.analyse([text]), memo.analyse([text])
    finally:
        del smollm.continuations
    assert again == first and not calls
    assert analysed[0][0] is analysed[1][0]


def test_the_model_counts_the_tokens_it_runs(smollm):
    """What a check costs in forward passes is read off these counters (benchmarks/speed.py)."""
    text = "Putin and Iranian abroad Minister Abbas Araghchi met in Moscow."
    smollm.work.__init__()
    smollm.analyse([text])
    tokens = len(smollm._encode(text)[0]) + 1  # with BOS
    assert smollm.work.analysed == tokens and smollm.work.continued == 0
    smollm.continuations([Continuation(text, text.index(" abroad"), (" Foreign", " foreign"))])
    assert smollm.work.rows == 2 and smollm.work.continued >= 4  # each row: the last prefix token and its variant
