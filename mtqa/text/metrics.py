"""Text-level scores of a corrected text against a clean one: BLEU, chrF and TER through sacrebleu.

One place for them: `fix --gold` prints them, and `mtqa bench` reports them per set.
"""

from __future__ import annotations

from sacrebleu.metrics import BLEU, CHRF, TER


def text_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float | str]:
    """Corpus BLEU, chrF and TER of corrected texts against references, with sacrebleu signatures."""
    out: dict[str, float | str] = {}
    for name, metric in (("bleu", BLEU()), ("chrf", CHRF()), ("ter", TER())):
        out[name] = metric.corpus_score(hypotheses, [references]).score
        out[f"{name}_signature"] = str(metric.get_signature())
    return out


def segments(text: str) -> list[str]:
    """Non-empty lines: the segments sacrebleu compares."""
    return [line.strip() for line in text.splitlines() if line.strip()]
