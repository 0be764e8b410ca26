"""What `mtqa corpus-summary` reports about an output of `mtqa corpus`.

The most damaged articles (for triage), the most frequent flagged patterns across the corpus
(the same wrong phrase, the same fix, the same rule in many articles: candidates for new glossary
entries), article errors counted by reason, and a histogram of damage scores.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.corpus.sources import error_reason
from mtqa.text.io import write_atomic

# How many of the most damaged articles are remembered while reading: whatever --top asks for
# is at most this (a summary is read by people).
MAX_TOP = 1000


@dataclass(frozen=True)
class Pattern:
    text: str  # the flagged text, lower-cased
    suggestion: str  # the first suggestion, "" when there is none
    rule: str


@dataclass
class Summary:
    articles: int = 0
    checked: int = 0
    words: int = 0
    flags: int = 0
    damages: list[float] = field(default_factory=list)
    top: list[dict] = field(default_factory=list)  # the most damaged checked articles, worst first
    patterns: Counter = field(default_factory=Counter)  # Pattern → flags
    pattern_articles: dict = field(default_factory=lambda: defaultdict(set))  # Pattern → article ids
    errors: Counter = field(default_factory=Counter)  # reason → articles
    error_examples: dict[str, str] = field(default_factory=dict)  # reason → the first article id with it

    def most_frequent(self, n: int) -> list[tuple[Pattern, int, int]]:
        """(pattern, flags, articles), most articles first: a phrase wrong across the corpus beats one repeated in one text."""
        ranked = sorted(self.patterns, key=lambda p: (-len(self.pattern_articles[p]), -self.patterns[p], p.text))
        return [(p, self.patterns[p], len(self.pattern_articles[p])) for p in ranked[:n]]


def summarise(records: Iterable[dict], top: int = 20) -> Summary:
    summary = Summary()
    keep = min(top, MAX_TOP)
    for record in records:
        summary.articles += 1
        if record["error"] is not None:
            reason = error_reason(record["error"])
            summary.errors[reason] += 1
            summary.error_examples.setdefault(reason, record["id"])
            continue
        summary.checked += 1
        summary.words += record["words"]
        summary.flags += len(record["flags"])
        summary.damages.append(record["damage"])
        for flag in record["flags"]:
            suggestions = flag["suggestions"]
            pattern = Pattern(flag["text"].lower(), suggestions[0]["text"] if suggestions else "", flag["rule"])
            summary.patterns[pattern] += 1
            summary.pattern_articles[pattern].add(record["id"])
        brief = {k: record[k] for k in ("id", "words", "errors_per_1k", "damage")} | {"flags": len(record["flags"])}
        summary.top.append(brief)
        if len(summary.top) > 2 * keep:  # trimmed now and then: memory stays bounded on any corpus
            summary.top = _worst(summary.top, keep)
    summary.top = _worst(summary.top, keep)
    return summary


def _worst(articles: list[dict], n: int) -> list[dict]:
    return sorted(articles, key=lambda a: (-a["damage"], -a["errors_per_1k"], a["id"]))[:n]


def histogram_png(damages: list[float], path: Path, title: str) -> None:
    """A histogram of damage scores in twenty bins over [0, 1], written atomically."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100, layout="constrained")
    ax.hist(damages, bins=20, range=(0, 1), color="tab:red", edgecolor="white")
    ax.set(xlabel="damage (probability the article is damaged MT or spun text)", ylabel="articles", xlim=(0, 1), title=title)
    ax.grid(alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buffer.getvalue())
