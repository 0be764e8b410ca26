"""Assembling the pipeline: text → segmentation → detectors → candidates → scoring → edits → outputs.

Models are loaded once per process and only when a chosen detector needs them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from mtqa.detect.base import Detector
from mtqa.detect.combined import CombinedDetector
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.lm.base import LanguageModel
from mtqa.text.document import Document

DETECTORS = ("glossary", "lm", "spacing")
DEFAULT_DETECTORS = "glossary,lm,spacing"
DEFAULT_THRESHOLD = 0.5


@cache
def language_model(name: str) -> LanguageModel:
    return registry.load(name)


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
) -> CombinedDetector:
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
            detectors.append(LMDetector(language_model(model), right, progress=progress))
        elif name == "spacing":
            detectors.append(SpacingDetector())
    return CombinedDetector(detectors)


def is_disabled(edit: Edit, disabled: frozenset[str]) -> bool:
    """A rule id ("glossary:safety-council"), a family ("lm:prediction") or a source ("spacing") turns flags off."""
    return any(edit.rule == d or edit.rule.startswith(d + ":") or edit.source == d for d in disabled)


def check_text(
    detector: Detector, text: str, threshold: float = DEFAULT_THRESHOLD, disabled: frozenset[str] = frozenset()
) -> tuple[Document, list[Edit]]:
    doc = Document(text)
    flags = [f for f in detector.detect(doc) if f.score >= threshold and not is_disabled(f, disabled)]
    return doc, flags
