"""Real MT output annotated by professional raters (MQM): detection-only benchmark sets.

One document per line (the format of `../shared/mqm/*.jsonl`, see its README)::

    {"id": str, "system": str, "text": str,
     "errors": [{"start": int, "end": int, "text": str, "category": str, "severity": str}],
     "source": str, "licence": str}

Raters mark spans, not corrections, and they mark style and accuracy that a monolingual checker
cannot see; a flag on an unmarked word is not proof of a false alarm. What is measured:

- precision: share of flags (at the threshold) whose span overlaps any rater span;
- chance: share of words some rater span overlaps, the precision of flags at random;
- lift: precision / chance, the number to compare across sets;
- flags per 1,000 words; recall (rater spans touched by a flag) by category and severity;
- per system (the `system` field), and over the sweep of thresholds;
- for `fix` (the combined detector's accepted edits): edits per 1,000 words, the share inside rater
  spans, and how many changed a name (a capitalised word inside a sentence) on the LM's word alone.

Rater spans are `Edit`s like every gold annotation: source "mqm", rule the MQM category,
message the severity, and no suggestions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtqa.bench.metrics import reliability
from mtqa.bench.scoring import SWEEP, pool, shifted
from mtqa.bench.sets import Sample
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.text.document import Document, tokenize

MQM_KEYS = ("id", "system", "text", "errors")


def is_mqm(path: Path) -> bool:
    """Whether a JSONL file holds rater-annotated documents (an "errors" list) rather than gold edits."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        record = json.loads(first) if first else {}
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and "errors" in record and "edits" not in record


def load_mqm(path: Path) -> list[Sample]:
    """Read an MQM set; raises MtqaError naming the file and line of the first problem."""
    samples, seen = [], set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise MtqaError(f"{path}: cannot read: {err.strerror or err}") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise MtqaError(f"{where}: bad JSON: {err.msg} at column {err.colno}") from None
        missing = [k for k in MQM_KEYS if not isinstance(record, dict) or k not in record]
        if missing:
            raise MtqaError(f"{where}: missing key {missing[0]!r}")
        text = record["text"]
        if record["id"] in seen:
            raise MtqaError(f"{where}: duplicate id {record['id']!r}")
        seen.add(record["id"])
        spans = []
        for error in record["errors"]:
            start, end = error.get("start"), error.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
                raise MtqaError(f"{where}: rater span {start}:{end} is out of range")
            spans.append(Edit(start, end, text[start:end], source="mqm", rule=str(error.get("category", "")), message=str(error.get("severity", ""))))
        samples.append(
            Sample(record["id"], text, sorted(spans, key=lambda e: (e.start, e.end)), [], None, record.get("source", ""), record.get("licence", ""), record["system"])
        )
    return samples


def _words(text: str) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in tokenize(text) if t.is_word]


def _touches(flag: Edit, spans: list[Edit]) -> bool:
    return any(flag.overlaps(s) for s in spans)


def _detection(words: int, marked: int, flags: list[Edit], spans: list[Edit]) -> dict[str, float]:
    right = sum(_touches(f, spans) for f in flags)
    chance = marked / words if words else 0.0
    precision = right / len(flags) if flags else 0.0
    return {
        "flags": len(flags),
        "flags_per_1k_words": 1000 * len(flags) / words if words else 0.0,
        "right": right,
        "precision": precision,
        "chance": chance,
        "lift": precision / chance if chance else 0.0,
    }


def _recall_by(key: str, flags: list[Edit], spans: list[Edit]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for span in spans:
        label = getattr(span, key) or "(none)"
        hit, total = out.get(label, (0, 0))
        out[label] = (hit + any(f.overlaps(span) for f in flags), total + 1)
    return dict(sorted(out.items(), key=lambda item: -item[1][1]))


def score_detection(samples: list[Sample], flags_by_doc: list[list[Edit]], threshold: float) -> dict[str, Any]:
    """All detection metrics of one detector on one MQM set; `flags_by_doc` holds every flag, whatever its score."""
    pooled = pool(samples)
    every = [f for flags, o in zip(flags_by_doc, pooled.offsets) for f in shifted(flags, o)]
    words = _words(pooled.text)
    marked = sum(_touches(Edit(s, e, pooled.text[s:e]), pooled.gold) for s, e in words)
    flags = [f for f in every if f.score >= threshold]
    result: dict[str, Any] = _detection(len(words), marked, flags, pooled.gold)
    result["recall_by_category"] = _recall_by("rule", flags, pooled.gold)
    result["recall_by_severity"] = _recall_by("message", flags, pooled.gold)
    result["by_group"] = {}
    for group in dict.fromkeys(s.group for s in samples):
        chosen = [i for i, s in enumerate(samples) if s.group == group]
        part = pool([samples[i] for i in chosen])
        part_words = _words(part.text)
        part_marked = sum(_touches(Edit(s, e, part.text[s:e]), part.gold) for s, e in part_words)
        part_flags = [f for i, o in zip(chosen, part.offsets) for f in shifted(flags_by_doc[i], o) if f.score >= threshold]
        result["by_group"][group] = _detection(len(part_words), part_marked, part_flags, part.gold)
    result["sweep"] = [
        {"threshold": t, **_detection(len(words), marked, [f for f in every if f.score >= t], pooled.gold)} for t in SWEEP
    ]
    result["reliability"] = reliability([(f.score, _touches(f, pooled.gold)) for f in every])
    return result


def score_fix(samples: list[Sample], docs: list[Document], applied_by_doc: list[list[Edit]]) -> dict[str, Any]:
    """What `fix` did to rated text: edits per 1,000 words, the share inside rater spans, and the
    edits that changed a name (capitalised inside a sentence) with only the LM behind them."""
    words = sum(len(_words(s.text)) for s in samples)
    applied = [(e, s) for s, edits in zip(samples, applied_by_doc) for e in edits]
    inside = sum(_touches(e, s.edits) for e, s in applied)
    names = []
    for (edit, sample), doc in zip(applied, [d for d, edits in zip(docs, applied_by_doc) for _ in edits]):
        sentence = doc.sentence_at(edit.start)
        mid_sentence = sentence is not None and edit.start > sentence.start
        if edit.source == "lm" and edit.text[:1].isupper() and mid_sentence:
            names.append({"id": sample.id, "text": edit.text, "replacement": edit.best})
    return {
        "edits": len(applied),
        "edits_per_1k_words": 1000 * len(applied) / words if words else 0.0,
        "inside_rater_spans": inside / len(applied) if applied else None,
        "names_changed_by_lm": names,
    }

