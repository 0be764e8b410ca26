"""Causal transformer language models (SmolLM2 and kin) through transformers.

Speed matters: a 135M-parameter model runs at about 450 tokens a second on two
CPU cores. Texts are batched by length, and `continuations` reuses the key/value
cache that `analyse` computed for the text: each variant costs only its own
tokens, not its prefix again. (int8 dynamic quantisation was measured: 1.5x
faster passes but 2 s more per load, so it is not used.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from mtqa.lm.base import Continuation, LanguageModel, TextScores

LOG2E = 1 / math.log(2)


@dataclass
class _Window:
    """A run of at most `max_tokens` tokens of one text, with the model's cache for it."""

    ids: list[int]  # token ids, BOS first
    spans: list[tuple[int, int]]  # character spans of ids[1:] in the text
    keys: list[torch.Tensor] | None = None  # per layer: (kv_heads, len(ids), head_dim)
    values: list[torch.Tensor] | None = None


class TransformerLM(LanguageModel):
    def __init__(
        self,
        name: str,
        model: torch.nn.Module,
        tokenizer,  # a tokenizers.Tokenizer
        bos_id: int = 0,
        max_tokens: int = 256,
        batch_tokens: int = 1024,
        prefix_tokens: int = 64,
    ) -> None:
        self.name = name
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.bos_id = bos_id
        self.max_tokens = max_tokens
        self.batch_tokens = batch_tokens
        # Variants attend to at most this many cached prefix tokens: their keys and values already
        # carry the context before them, and attention over long padded caches costs more than it adds.
        self.prefix_tokens = prefix_tokens
        self._windows: dict[str, list[_Window]] = {}  # caches of the last `analyse` call
        self._vocab_words = self._word_tokens()

    @classmethod
    def load(cls, name: str, directory: Path) -> TransformerLM:
        from tokenizers import Tokenizer
        from transformers import AutoModelForCausalLM

        # The raw tokenizers library loads tokenizer.json in 0.1 s; the transformers wrapper takes 2 s.
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        model = AutoModelForCausalLM.from_pretrained(str(directory), dtype=torch.float32, use_safetensors=True)
        return cls(name, model, tokenizer)

    def _encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def _word_tokens(self) -> dict[int, str]:
        """Token ids that are a whole word with a leading space: the words `predictions` may offer."""
        words = {}
        for token, idx in self.tokenizer.get_vocab().items():
            if token.startswith("Ġ") and token[1:].isalpha():
                words[idx] = token[1:]
        return words

    @torch.inference_mode()
    def similarity(self, a: str, b: str) -> float:
        embeddings = self.model.get_input_embeddings().weight
        va, vb = (embeddings[self._encode(" " + w)[0]].mean(0) for w in (a, b))
        return float(torch.nn.functional.cosine_similarity(va, vb, dim=0))

    # -- analyse -------------------------------------------------------------------------------

    def _windows_of(self, text: str) -> list[_Window]:
        ids, spans = self._encode(text)
        size = self.max_tokens - 1
        return [
            _Window([self.bos_id, *ids[i : i + size]], spans[i : i + size]) for i in range(0, max(len(ids), 1), size)
        ]

    def _batches(self, items: list, length) -> list[list]:
        """Group items, in the order given, so that each batch holds about `batch_tokens` padded tokens."""
        batches, current = [], []
        for item in items:
            if current and length(item) * (len(current) + 1) > self.batch_tokens:
                batches.append(current)
                current = []
            current.append(item)
        if current:
            batches.append(current)
        return batches

    @torch.inference_mode()
    def analyse(self, texts: Sequence[str], top_k: int = 0) -> list[TextScores]:
        self._windows = {}
        per_text = {text: self._windows_of(text) for text in dict.fromkeys(texts)}
        windows = [w for ws in per_text.values() for w in ws]
        results: dict[int, tuple[np.ndarray, list[list[tuple[str, float]]]]] = {}
        for batch in self._batches(sorted(windows, key=lambda w: len(w.ids)), lambda w: len(w.ids)):
            width = max(len(w.ids) for w in batch)
            ids = torch.tensor([w.ids + [self.bos_id] * (width - len(w.ids)) for w in batch])
            mask = torch.tensor([[1] * len(w.ids) + [0] * (width - len(w.ids)) for w in batch])
            out = self.model(input_ids=ids, attention_mask=mask, use_cache=True)
            logits = out.logits[:, :-1]
            # log-softmax materialised over a 49k vocabulary is most of the cost: normalise only what is read.
            norm = torch.logsumexp(logits, dim=-1)
            target = (logits.gather(-1, ids[:, 1:, None])[..., 0] - norm) * LOG2E
            top = logits.topk(top_k * 3, dim=-1) if top_k else None
            cache = out.past_key_values
            for row, w in enumerate(batch):
                n = len(w.ids)
                w.keys = [layer.keys[row, :, :n].clone() for layer in cache.layers]
                w.values = [layer.values[row, :, :n].clone() for layer in cache.layers]
                preds = []
                if top is not None:
                    for pos in range(n - 1):
                        words = []
                        base = float(norm[row, pos])
                        for logit, idx in zip(top.values[row, pos].tolist(), top.indices[row, pos].tolist()):
                            if idx in self._vocab_words:
                                words.append((self._vocab_words[idx], (logit - base) * LOG2E))
                        preds.append(words[:top_k])
                results[id(w)] = (target[row, : n - 1].numpy().copy(), preds)
        scores = []
        for text in texts:
            ws = per_text[text]
            self._windows[text] = ws
            scores.append(
                TextScores(
                    text=text,
                    spans=[s for w in ws for s in w.spans],
                    logprobs=np.concatenate([results[id(w)][0] for w in ws]) if ws else np.zeros(0),
                    predictions=[p for w in ws for p in results[id(w)][1]],
                )
            )
        return scores

    # -- continuations -------------------------------------------------------------------------

    @torch.inference_mode()
    def continuations(self, requests: Sequence[Continuation]) -> list[list[float]]:
        missing = [r.text for r in requests if r.text not in self._windows]
        if missing:
            kept = self._windows
            self.analyse(missing)
            self._windows = {**kept, **self._windows}
        # One row per (request, variant): the cached prefix, then the last prefix token and the variant.
        rows = []
        for r_index, request in enumerate(requests):
            window, keep, lead = self._prefix(request)
            for v_index, variant in enumerate(request.variants):
                ids = self._encode(lead + variant)[0]
                rows.append((r_index, v_index, window, keep, [window.ids[keep - 1], *ids]))
        results = [[0.0] * len(r.variants) for r in requests]
        # Rows of similar prefix length go together (less padding in the cache); a batch is sized by
        # its new tokens, since the cached prefix costs attention only, not the MLPs and the head.
        rows.sort(key=lambda row: (row[3], len(row[4])))
        for batch in self._batches(rows, lambda row: len(row[4]) + row[3] // 16):
            past = max(min(row[3] - 1, self.prefix_tokens) for row in batch)
            width = max(len(row[4]) for row in batch)
            layers = len(batch[0][2].keys)
            cache_k, cache_v, mask, ids, positions = [], [], [], [], []
            for _, _, window, keep, tokens in batch:
                used = min(keep - 1, self.prefix_tokens)
                pad = past - used
                mask.append([0] * pad + [1] * used + [1] * len(tokens) + [0] * (width - len(tokens)))
                ids.append(tokens + [self.bos_id] * (width - len(tokens)))
                positions.append(list(range(keep - 1, keep - 1 + width)))
            for layer in range(layers):
                cache_k.append(torch.stack([_left_pad(_recent(row[2].keys[layer], row[3] - 1, past), past) for row in batch]))
                cache_v.append(torch.stack([_left_pad(_recent(row[2].values[layer], row[3] - 1, past), past) for row in batch]))
            from transformers import DynamicCache

            cache = DynamicCache()
            for layer in range(layers):
                cache.update(cache_k[layer], cache_v[layer], layer)
            ids_t = torch.tensor(ids)
            out = self.model(
                input_ids=ids_t,
                attention_mask=torch.tensor(mask),
                position_ids=torch.tensor(positions),
                past_key_values=cache,
                use_cache=False,
            )
            logits = out.logits[:, :-1]
            logprobs = logits.gather(-1, ids_t[:, 1:, None])[..., 0] - torch.logsumexp(logits, dim=-1)
            for row_index, (r_index, v_index, _, _, tokens) in enumerate(batch):
                results[r_index][v_index] = float(logprobs[row_index, : len(tokens) - 1].sum()) * LOG2E
        return results

    def _prefix(self, request: Continuation) -> tuple[_Window, int, str]:
        """The window holding the cut, how many of its ids precede the cut, and any text of a token
        that straddles the cut (it is re-tokenised as part of the variants)."""
        windows = self._windows[request.text]
        window = windows[0]
        for w in windows:
            if w.spans and w.spans[0][0] <= request.cut:
                window = w
        keep = 1  # BOS
        for s, e in window.spans:
            if e <= request.cut:
                keep += 1
            else:
                break
        start = window.spans[keep - 1][0] if keep - 1 < len(window.spans) else request.cut
        return window, keep, request.text[min(start, request.cut) : request.cut]


def _recent(tensor: torch.Tensor, end: int, length: int) -> torch.Tensor:
    """The last `length` cached positions before `end` of a (heads, n, dim) tensor."""
    return tensor[:, max(0, end - length) : end]


def _left_pad(tensor: torch.Tensor, length: int) -> torch.Tensor:
    """Pad (heads, n, dim) on the left of the sequence axis to `length`."""
    missing = length - tensor.shape[1]
    if missing <= 0:
        return tensor
    return torch.cat([tensor.new_zeros(tensor.shape[0], missing, tensor.shape[2]), tensor], dim=1)
