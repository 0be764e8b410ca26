"""Assembling the pipeline: text → segmentation → detectors → candidates → scoring → edits → outputs.

Models are loaded once per process and only when a chosen detector needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from mtqa.detect.base import Detector
from mtqa.detect.combined import CombinedDetector
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.lm.base import LanguageModel
from mtqa.text.document import Document, TextView

if TYPE_CHECKING:  # correction is imported only when `fix` runs
    from mtqa.correct.fixing import FixResult
    from mtqa.text.reference import Reference

DETECTORS = ("glossary", "lm", "spacing")
DEFAULT_DETECTORS = "glossary,lm,spacing"
DEFAULT_THRESHOLD = 0.46  # chosen by benchmarks/fit_calibration.py: precision ≥ 0.8 on each annotated dev set (see detect/calibration.json)
DEFAULT_MIN_SCORE = 0.5  # `fix` applies a correction scoring at least this


@cache
def language_model(name: str, precision: str = "auto", device: str = "auto") -> LanguageModel:
    """A registered model, loaded once per process for each (precision, device)."""
    return registry.load(name, precision, device)


def glossary_for(extra_files: tuple[Path, ...] = ()):
    """The bundled glossary, plus the user's extra files."""
    from mtqa.glossary.model import bundled_paths, load_glossary

    return load_glossary([*bundled_paths(), *extra_files]) if extra_files else load_glossary()


def parse_detectors(spec: str) -> list[str]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in DETECTORS]
    if unknown or not names:
        raise MtqaError(f"unknown detector(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(DETECTORS)}")
    return names


def build_detector(
    names: list[str],
    lm: str | None = None,
    glossary_files: tuple[Path, ...] = (),
    progress: Callable[[int], None] | None = None,
    models: Callable[[str], LanguageModel] = language_model,
    reference: Reference | None = None,
    calibrated: bool = True,
) -> CombinedDetector:
    """The detectors named, combined; `models` loads a language model by name (the bench passes
    one that shares answers between detectors). With a `reference`, names it writes differently
    are flagged too. Scores are calibrated (`detect.calibration`) when the table was fitted for
    the language model in use; `calibrated=False` keeps every detector's raw scores."""
    from mtqa.detect import calibration
    from mtqa.detect.glossary import GlossaryDetector
    from mtqa.detect.lm import LMDetector
    from mtqa.detect.spacing import SpacingDetector

    detectors: list[Detector] = []
    for name in names:
        if name == "glossary":
            detectors.append(GlossaryDetector(glossary_for(glossary_files)))
        elif name == "lm":
            model = lm or registry.default_model()
            right = language_model("trigram") if model != "trigram" else None
            detectors.append(LMDetector(models(model), right, progress=progress))
        elif name == "spacing":
            detectors.append(SpacingDetector())
    if reference is not None:
        from mtqa.detect.reference import ReferenceDetector

        detectors.append(ReferenceDetector(reference))
    table = calibration.bundled() if calibrated else None
    if table and "lm" in names and (lm or registry.default_model()) != table.model:
        table = None  # fitted on another model's scores
    return CombinedDetector(detectors, table)


def is_disabled(edit: Edit, disabled: frozenset[str]) -> bool:
    """A rule id ("glossary:safety-council"), a family ("lm:prediction") or a source ("spacing") turns flags off."""
    return any(edit.rule == d or edit.rule.startswith(d + ":") or edit.source == d for d in disabled)


def check_text(
    detector: Detector, text: str, threshold: float = DEFAULT_THRESHOLD, disabled: frozenset[str] = frozenset()
) -> tuple[Document, list[Edit]]:
    doc = Document(text)
    flags = [f for f in detector.detect(doc) if f.score >= threshold and not is_disabled(f, disabled)]
    return doc, flags


def fix_text(
    text: str,
    detectors: list[str],
    lm: str | None = None,
    references: list[str] = (),
    threshold: float = DEFAULT_THRESHOLD,
    min_score: float = DEFAULT_MIN_SCORE,
    glossary_files: tuple[Path, ...] = (),
    disabled: frozenset[str] = frozenset(),
    precision: str = "auto",
    device: str = "auto",
) -> FixResult:
    """Detect, then correct: `text` with the accepted corrections of the flags applied; the language
    model runs in `precision` on `device` (see `mtqa.lm.hardware`)."""
    from mtqa.correct.fixing import correct
    from mtqa.correct.scoring import Ranker
    from mtqa.text.reference import Reference

    reference = Reference(list(references)) if references else None
    models = partial(language_model, precision=precision, device=device)
    detector = build_detector(detectors, lm, glossary_files, models=models, reference=reference)
    doc, flags = check_text(detector, text, threshold, disabled)
    ranker = Ranker(
        lm=models(lm or registry.default_model()) if "lm" in detectors else None,
        glossary=glossary_for(glossary_files) if "glossary" in detectors else None,
        reference=reference,
    )
    return correct(doc, flags, ranker, min_score)


# -- long texts -------------------------------------------------------------------------------

# Texts longer than this are checked a block of whole paragraphs at a time, so memory stays
# bounded whatever the length (a Document costs about 40 bytes of memory per character).
BLOCK_CHARS = 50_000
_SENTENCE_END = regex.compile(r"[.!?][\"”’)]*\s+")


def blocks(text: str, size: int = BLOCK_CHARS) -> list[tuple[int, int]]:
    """(start, end) spans that tile `text`, each about `size` characters, cut at line breaks
    (every line is a paragraph); a longer line is cut after a sentence end, else at a space."""
    spans, start, n = [], 0, len(text)
    while n - start > size:
        low, high = start + size // 2, start + size
        cut = text.rfind("\n", low, high) + 1
        if not cut:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, low, high)]
            cut = ends[-1] if ends else 0
        if not cut:
            space = max(text.rfind(" ", low, high), text.rfind("\t", low, high))
            cut = space + 1 if space >= 0 else high
        spans.append((start, cut))
        start = cut
    if start < n or not spans:
        spans.append((start, n))
    return spans


def shifted(edits: list[Edit], offset: int) -> list[Edit]:
    """Edits of a block, with offsets into the whole text."""
    return [replace(e, start=e.start + offset, end=e.end + offset) for e in edits] if offset else list(edits)


def fix_blocks(text: str, detectors: list[str], progress: Callable[[int], None] | None = None, **options) -> FixResult:
    """`fix_text` on a long text a block of paragraphs at a time (bounded memory); the result's edits
    have offsets into the whole text. `progress` hears the offset each block ends at."""
    from mtqa.correct.fixing import FixResult

    spans = blocks(text)
    if len(spans) == 1:
        return fix_text(text, detectors, **options)
    pieces, applied, skipped, ranked, words = [], [], [], [], 0
    for start, end in spans:
        part = fix_text(text[start:end], detectors, **options)
        pieces.append(part.text)
        applied += shifted(part.applied, start)
        skipped += shifted(part.skipped, start)
        ranked += shifted(part.ranked, start)
        words += part.doc.word_count() if part.doc else 0
        if progress:
            progress(end)
    return FixResult("".join(pieces), applied, skipped, TextView(text, words), ranked)


def check_blocks(
    detector: Detector,
    text: str,
    threshold: float = DEFAULT_THRESHOLD,
    disabled: frozenset[str] = frozenset(),
    size: int = BLOCK_CHARS,
) -> Iterator[tuple[int, int, int, list[Edit]]]:
    """`check_text` a block of paragraphs at a time: (start, end, words, flags) per block, flag
    offsets into the whole text. A text shorter than `size` is one block, checked as by `check_text`."""
    for start, end in blocks(text, size):
        doc, flags = check_text(detector, text[start:end], threshold, disabled)
        yield start, end, doc.word_count(), shifted(flags, start)
