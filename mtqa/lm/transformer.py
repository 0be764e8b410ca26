"""Causal transformer language models (SmolLM2 and kin) through transformers.

Speed matters: a 135M-parameter model runs at about 450 tokens a second on two
CPU cores. Texts are batched by length, and `continuations` reuses the key/value
cache that `analyse` computed for the text: each variant costs only its own
tokens, not its prefix again, and a variant that is the text as it stands costs
nothing. (int8 dynamic quantisation was measured: 1.3x faster passes, but target
log-probabilities moved by 1.5 nats on average, so it is not used.)

In bf16 (`precision`), the layers and the key/value caches are bf16, but the vocabulary head
and the log-softmax run in fp32 from an fp32 copy of the head's weights: a logit near 30 has
a bf16 step of 0.125, too coarse for gains of a few bits.
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
EMBEDDINGS_KEPT = 20_000  # 2.3 kB each
HEAD_ROWS = 256  # positions sent through the vocabulary head at once (see `_score`)


@dataclass
class Work:
    """Tokens run through the model since the last reset, padding included: what a check costs in
    forward passes is `analysed + continued` over the text's own tokens (see benchmarks/speed.py)."""

    analysed: int = 0  # positions of `analyse` batches
    continued: int = 0  # positions of `continuations` batches (new tokens only: the prefix is cached)
    rows: int = 0  # continuation rows (one per variant asked)


@dataclass
class _Window:
    """A run of at most `max_tokens` tokens of one text, with the model's cache for it."""

    ids: list[int]  # token ids, BOS first
    spans: list[tuple[int, int]]  # character spans of ids[1:] in the text
    keys: torch.Tensor | None = None  # (layers, kv_heads, len(ids), head_dim)
    values: torch.Tensor | None = None
    logprobs: np.ndarray | None = None  # log2 P(ids[i + 1] | ids[: i + 1])


class TransformerLM(LanguageModel):
    def __init__(
        self,
        name: str,
        model: torch.nn.Module,
        tokenizer,  # a tokenizers.Tokenizer
        bos_id: int = 0,
        max_tokens: int = 256,
        batch_tokens: int = 384,  # padded tokens a batch; 512 was no faster here and peaked 100-180 MB higher
    ) -> None:
        self.name = name
        self.model = model.eval()
        self.device = next(model.parameters()).device
        self.precision = "bf16" if next(model.parameters()).dtype == torch.bfloat16 else "fp32"
        head = model.get_output_embeddings().weight
        self._head = head if head.dtype == torch.float32 else head.float()  # see the module docstring
        self.tokenizer = tokenizer
        self.bos_id = bos_id
        self.max_tokens = max_tokens
        self.batch_tokens = batch_tokens
        self._windows: dict[str, list[_Window]] = {}  # caches of the last `analyse` call
        self._vocab_words = self._word_tokens()
        self._embeddings: dict[str, torch.Tensor] = {}
        self.work = Work()

    @classmethod
    def load(cls, name: str, directory: Path, precision: str = "fp32", device: str = "cpu") -> TransformerLM:
        from tokenizers import Tokenizer
        from transformers import AutoConfig, AutoModelForCausalLM

        # The raw tokenizers library loads tokenizer.json in 0.1 s; the transformers wrapper takes 2 s.
        tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        config = AutoConfig.from_pretrained(str(directory))
        # A cache converted from GGUF may still name its quantisation; its weights are plain fp16.
        config.__dict__.pop("quantization_config", None)
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        model = AutoModelForCausalLM.from_pretrained(str(directory), config=config, dtype=dtype, use_safetensors=True)
        return cls(name, model.to(device), tokenizer)

    def _encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return enc.ids, enc.offsets

    def _word_tokens(self) -> dict[int, str]:
        """Token ids that are a whole word with a leading space: the words `predictions` may offer.

        Tokens are decoded, not read off the vocabulary: byte-level pieces such as "âĢľ" (the
        bytes of an opening quote) look alphabetic but are not words, and "GarcÃŃa" is "García".
        """
        ids = sorted(self.tokenizer.get_vocab().values())
        texts = self.tokenizer.decode_batch([[idx] for idx in ids], skip_special_tokens=False)
        return {idx: text[1:] for idx, text in zip(ids, texts) if text.startswith(" ") and text[1:].isalpha()}

    @torch.inference_mode()
    def similarity(self, a: str, b: str) -> float:
        va, vb = self._embedding(a), self._embedding(b)
        return float(torch.dot(va, vb))

    def _embedding(self, word: str) -> torch.Tensor:
        """The word's input embedding (mean over its tokens), unit length; kept, since a text asks
        about the same words many times."""
        if word not in self._embeddings:
            if len(self._embeddings) >= EMBEDDINGS_KEPT:  # bounded: a long text has an open vocabulary
                self._embeddings.clear()
            vector = self.model.get_input_embeddings().weight[self._encode(" " + word)[0]].float().mean(0).cpu()
            self._embeddings[word] = vector / vector.norm().clamp_min(1e-12)
        return self._embeddings[word]

    # -- analyse -------------------------------------------------------------------------------

    def _windows_of(self, text: str) -> list[_Window]:
        ids, spans = self._encode(text)
        size = self.max_tokens - 1
        return [
            _Window([self.bos_id, *ids[i : i + size]], spans[i : i + size]) for i in range(0, max(len(ids), 1), size)
        ]

    def _batches(self, items: list, sizes) -> list[list]:
        """Group items, in the order given, so that each padded batch costs about `batch_tokens`.

        `sizes(item)` gives an item's length along each padded axis; a batch costs its row count
        times the sum of the longest length along each axis.
        """
        batches, current, longest = [], [], ()
        for item in items:
            size = sizes(item)
            widened = tuple(map(max, longest, size)) if current else size
            if current and sum(widened) * (len(current) + 1) > self.batch_tokens:
                batches.append(current)
                current, widened = [], size
            current.append(item)
            longest = widened
        if current:
            batches.append(current)
        return batches

    @torch.inference_mode()
    def analyse(self, texts: Sequence[str], top_k: int = 0) -> list[TextScores]:
        self._windows = {}
        per_text = {text: self._windows_of(text) for text in dict.fromkeys(texts)}
        windows = [w for ws in per_text.values() for w in ws]
        results: dict[int, tuple[np.ndarray, list[list[tuple[str, float]]]]] = {}
        for batch in self._batches(sorted(windows, key=lambda w: len(w.ids)), lambda w: (len(w.ids),)):
            width = max(len(w.ids) for w in batch)
            ids = torch.tensor([w.ids + [self.bos_id] * (width - len(w.ids)) for w in batch], device=self.device)
            mask = torch.tensor([[1] * len(w.ids) + [0] * (width - len(w.ids)) for w in batch], device=self.device)
            self.work.analysed += ids.numel()
            out = self.model.get_decoder()(input_ids=ids, attention_mask=mask, use_cache=True)
            cache = out.cache
            for row, w in enumerate(batch):
                n = len(w.ids)
                w.keys = torch.stack([layer.keys[row, :, :n] for layer in cache.layers])
                w.values = torch.stack([layer.values[row, :, :n] for layer in cache.layers])
                target, norm, top = self._score(out.last_hidden_state[row, : n - 1], ids[row, 1:n], top_k * 3)
                preds = []
                if top_k:
                    for pos in range(n - 1):
                        words = []
                        base = float(norm[pos])
                        for logit, idx in zip(top.values[pos].tolist(), top.indices[pos].tolist()):
                            if idx in self._vocab_words:
                                words.append((self._vocab_words[idx], (logit - base) * LOG2E))
                        preds.append(words[:top_k])
                w.logprobs = target.cpu().numpy()
                results[id(w)] = (w.logprobs, preds)
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
        results = [[0.0] * len(r.variants) for r in requests]
        # One row per (request, variant): the cached prefix, then the last prefix token and the variant.
        # A variant that is the text as it stands was scored by `analyse` already: it is read off.
        rows = []
        for r_index, request in enumerate(requests):
            window, keep, lead = self._prefix(request)
            for v_index, variant in enumerate(request.variants):
                ids = self._encode(lead + variant)[0]
                if request.text.startswith(variant, request.cut) and window.ids[keep : keep + len(ids)] == ids:
                    results[r_index][v_index] = float(window.logprobs[keep - 1 : keep - 1 + len(ids)].sum())
                else:
                    rows.append((r_index, v_index, window, keep, [window.ids[keep - 1], *ids]))
        # Rows of equal length go together (padding costs as much as a token). A batch is sized by its
        # new tokens plus a share for each row's copy of the cached prefix, which costs no MLP or head
        # work but holds most of the batch's memory.
        rows.sort(key=lambda row: (len(row[4]), row[3]))
        for batch in self._batches(rows, lambda row: (len(row[4]), (row[3] - 1) // 4)):
            past = max(row[3] - 1 for row in batch)
            width = max(len(row[4]) for row in batch)
            mask, ids, positions = [], [], []
            for _, _, window, keep, tokens in batch:
                pad = past - (keep - 1)
                mask.append([0] * pad + [1] * (keep - 1) + [1] * len(tokens) + [0] * (width - len(tokens)))
                ids.append(tokens + [self.bos_id] * (width - len(tokens)))
                positions.append(list(range(keep - 1, keep - 1 + width)))
            from transformers import DynamicCache

            # Each row's cached prefix, left-padded to the longest in the batch. One tensor a layer:
            # each layer's forward replaces its entry with a longer copy, and the old one can go.
            layers, heads, _, dim = batch[0][2].keys.shape
            like = batch[0][2].keys  # the cache is in the model's dtype, on its device
            cache = DynamicCache()
            for layer in range(layers):
                keys = torch.zeros(len(batch), heads, past, dim, dtype=like.dtype, device=like.device)
                values = torch.zeros_like(keys)
                for index, (_, _, window, keep, _) in enumerate(batch):
                    keys[index, :, past - keep + 1 :] = window.keys[layer, :, : keep - 1]
                    values[index, :, past - keep + 1 :] = window.values[layer, :, : keep - 1]
                cache.update(keys, values, layer)
            del keys, values
            ids_t = torch.tensor(ids, device=self.device)
            self.work.continued += ids_t.numel()
            self.work.rows += len(batch)
            out = self.model.get_decoder()(
                input_ids=ids_t,
                attention_mask=torch.tensor(mask, device=self.device),
                position_ids=torch.tensor(positions, device=self.device),
                cache=cache,
                use_cache=False,
            )
            # Only real tokens reach the vocabulary head: padding would cost as much as a token.
            lengths = torch.tensor([len(row[4]) - 1 for row in batch], device=self.device)
            valid = torch.arange(width - 1, device=self.device)[None, :] < lengths[:, None]
            logprobs, _, _ = self._score(out.last_hidden_state[:, :-1][valid], ids_t[:, 1:][valid])
            for row_index, total in enumerate(torch.split(logprobs, lengths.tolist())):
                r_index, v_index = batch[row_index][0], batch[row_index][1]
                results[r_index][v_index] = float(total.sum())
        return results

    def _score(
        self, hidden: torch.Tensor, targets: torch.Tensor, top: int = 0
    ) -> tuple[torch.Tensor, torch.Tensor, torch.return_types.topk | None]:
        """Log2-probabilities of `targets` from hidden states (positions, dim), the log normaliser
        per position, and optionally the `top` best logits.

        The head runs over `HEAD_ROWS` positions at a time: logits over a 49k vocabulary cost
        200 kB a position, which would otherwise dominate peak memory. Log-softmax is never
        materialised; only the normaliser and the entries read.
        """
        scores, norms, tops = [], [], []
        for first in range(0, hidden.shape[0], HEAD_ROWS):
            logits = torch.nn.functional.linear(hidden[first : first + HEAD_ROWS].float(), self._head)
            norm = torch.logsumexp(logits, dim=-1)
            picked = logits.gather(-1, targets[first : first + HEAD_ROWS, None])[:, 0]
            scores.append((picked - norm) * LOG2E)
            norms.append(norm)
            if top:
                tops.append(logits.topk(top, dim=-1))
        if not scores:
            empty = hidden.new_zeros(0)
            return empty, empty, None
        best = None
        if tops:
            best = torch.return_types.topk((torch.cat([t.values for t in tops]), torch.cat([t.indices for t in tops])))
        return torch.cat(scores), torch.cat(norms), best

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
