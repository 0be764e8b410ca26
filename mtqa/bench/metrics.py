"""Benchmark metrics on `Edit` lists, in the style of ERRANT and WMT word-level QE.

Span matching (used by every span metric here):

- A predicted flag and a gold edit match when their character spans overlap. An
  insertion (start == end, e.g. a missing space) matches a flag that touches its point:
  this is `Edit.overlaps`.
- Matching is one-to-one: each gold edit is matched at most once and each flag at most
  once (greedily: gold edits in order of their end, each taking the unmatched overlapping
  flag that ends first). Matched pairs are true positives.
- A flag that overlaps no gold error (only a trap, or nothing) is a false positive. A
  flag that overlaps a gold error already matched by another flag (two flags on
  "mediate" and "East" for one gold "mediate East") is neither: it is a duplicate,
  not a false alarm.
- Unmatched gold edits are false negatives.
- As in ERRANT, precision is 1.0 when nothing is flagged and recall is 1.0 when there is
  nothing to find; F is 0.0 when both are 0.

Gold traps (kind "trap") are never errors: pass them to `traps_hit`, not in `gold`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mtqa.edits import Edit
from mtqa.text.document import tokenize

TRAP = "trap"


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f05: float
    f1: float


def _errors(gold: list[Edit]) -> list[Edit]:
    return [g for g in gold if g.kind != TRAP]


def f_beta(precision: float, recall: float, beta: float) -> float:
    if precision + recall == 0:
        return 0.0
    return (1 + beta**2) * precision * recall / (beta**2 * precision + recall)


def match(predicted: list[Edit], gold: list[Edit]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs of overlapping edits (see the module docstring).

    Giving each gold edit, in order of its end, the free flag that ends first leaves the
    flags that reach furthest right for the gold edits still to come.
    """
    pairs, used = [], set()
    for gi in sorted(range(len(gold)), key=lambda i: (gold[i].end, gold[i].start)):
        candidates = [pi for pi, p in enumerate(predicted) if pi not in used and p.overlaps(gold[gi])]
        if candidates:
            pi = min(candidates, key=lambda i: (predicted[i].end, predicted[i].start))
            used.add(pi)
            pairs.append((pi, gi))
    return sorted(pairs)


def span_scores(predicted: list[Edit], gold: list[Edit]) -> Scores:
    gold = _errors(gold)
    tp = len(match(predicted, gold))
    fp = sum(not any(p.overlaps(g) for g in gold) for p in predicted)
    fn = len(gold) - tp
    precision = tp / (tp + fp) if fp else 1.0
    recall = tp / (tp + fn) if fn else 1.0
    return Scores(tp, fp, fn, precision, recall, f_beta(precision, recall, 0.5), f_beta(precision, recall, 1.0))


def _bad_tags(text: str, edits: list[Edit]) -> np.ndarray:
    """One boolean per word token of `text`: True (BAD) when an edit overlaps it.
    An insertion makes BAD the tokens that touch its point."""
    tokens = tokenize(text)
    return np.array([any(e.overlaps(Edit(t.start, t.end, t.text)) for e in edits) for t in tokens], dtype=bool)


def token_mcc(text: str, predicted: list[Edit], gold: list[Edit]) -> float:
    """Matthews correlation of OK/BAD word tags, predicted against gold (WMT word-level QE).
    0.0 when it is undefined: no tokens, or either side tags every token the same."""
    pred, ref = _bad_tags(text, predicted), _bad_tags(text, _errors(gold))
    if pred.size == 0 or pred.all() or not pred.any() or ref.all() or not ref.any():
        return 0.0
    # For two binary variables the Pearson correlation is the MCC (phi coefficient).
    return float(np.corrcoef(pred, ref)[0, 1])


def _union(a: Edit, b: Edit) -> tuple[int, str]:
    """Start and text of the union of two overlapping spans, rebuilt from the edits' own text."""
    first, second = (a, b) if (a.start, a.end) <= (b.start, b.end) else (b, a)
    tail = second.text[first.end - second.start :] if second.end > first.end else ""
    return first.start, first.text + tail


def _replace(union_start: int, union: str, edit: Edit, replacement: str) -> str:
    return union[: edit.start - union_start] + replacement + union[edit.end - union_start :]


def _normalise(text: str, fold_case: bool) -> str:
    text = " ".join(text.split())
    return text.casefold() if fold_case else text


def correct_fix(predicted: Edit, gold: Edit) -> bool:
    """Does the flag's first suggestion fix the gold error?

    Spans may differ (flag "mediate", gold "mediate East"), so both fixes are applied to
    the union of the two spans and the results compared, whitespace-normalised and
    ignoring case, unless the gold fix is itself only a change of case ("Subtle" ->
    "subtle"), where case is what matters.
    """
    if predicted.best is None:
        return False
    start, union = _union(predicted, gold)
    mine = _replace(start, union, predicted, predicted.best)
    for correction in gold.suggestions:
        case_only = correction.text != gold.text and correction.text.casefold() == gold.text.casefold()
        wanted = _replace(start, union, gold, correction.text)
        if _normalise(mine, not case_only) == _normalise(wanted, not case_only):
            return True
    return False


def correction_accuracy(predicted: list[Edit], gold: list[Edit]) -> float:
    """Among gold errors matched by a flag, the fraction the flag's first suggestion fixes (0.0 if none matched)."""
    gold = _errors(gold)
    pairs = match(predicted, gold)
    if not pairs:
        return 0.0
    return sum(correct_fix(predicted[pi], gold[gi]) for pi, gi in pairs) / len(pairs)


def recall_by_kind(predicted: list[Edit], gold: list[Edit]) -> dict[str, tuple[int, int]]:
    """kind -> (gold errors of that kind matched by a flag, gold errors of that kind)."""
    gold = _errors(gold)
    found = {gi for _, gi in match(predicted, gold)}
    out: dict[str, tuple[int, int]] = {}
    for gi, g in enumerate(gold):
        hit, total = out.get(g.kind, (0, 0))
        out[g.kind] = (hit + (gi in found), total + 1)
    return dict(sorted(out.items()))


def traps_hit(predicted: list[Edit], traps: list[Edit], gold: Sequence[Edit] = ()) -> int:
    """Traps overlapped by a false positive. A flag that also overlaps a gold error
    (pass `gold`) is not counted: it may touch a trap only because the two are adjacent."""
    errors = _errors(list(gold))
    wild = [p for p in predicted if not any(p.overlaps(g) for g in errors)]
    return sum(any(p.overlaps(t) for p in wild) for t in traps)


def false_alarms_per_1000_words(predicted: list[Edit], text: str) -> float:
    """Flags per 1,000 words, for clean text where every flag is a false alarm (0.0 for no words)."""
    words = sum(t.is_word for t in tokenize(text))
    return 1000 * len(predicted) / words if words else 0.0


def reliability(scored: list[tuple[float, bool]], bins: int = 10) -> dict[str, Any]:
    """Calibration of flag scores: per score bin, the mean score and the share of flags that were right,
    and the expected calibration error (the flag-weighted mean gap between the two)."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(s, ok) for s, ok in scored if low <= s < high or (b == bins - 1 and s == 1.0)]
        if inside:
            rows.append({"low": low, "high": high, "flags": len(inside), "mean_score": sum(s for s, _ in inside) / len(inside), "right": sum(ok for _, ok in inside) / len(inside)})
    total = sum(r["flags"] for r in rows)
    ece = sum(r["flags"] * abs(r["mean_score"] - r["right"]) for r in rows) / total if total else 0.0
    return {"bins": rows, "ece": ece, "flags": total}
