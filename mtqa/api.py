"""The Python API: check and correct text from a program or a notebook, the model loaded once.

>>> from mtqa import Checker
>>> checker = Checker(detectors=["glossary", "spacing"])
>>> text = "The abroad Minister flew to the mediate East.It took a fewer days."
>>> [(flag.text, flag.best) for flag in checker.check(text)]
[('abroad Minister', 'Foreign Minister'), ('mediate East', 'Middle East'), ('', ' '), ('fewer', 'few')]
>>> checker.fix(text).text
'The Foreign Minister flew to the Middle East. It took a few days.'

`Checker()` with no arguments runs what `mtqa check` runs (glossary, language model, spacing);
the language model loads on first use and stays loaded for every later call in the process. The
commands run through it too: one `Checker` a run, every input through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from mtqa import pipeline
from mtqa.correct.fixing import FixResult
from mtqa.detect.combined import CombinedDetector
from mtqa.edits import Edit
from mtqa.text.language import guess_language

__all__ = ["Checker", "FixResult"]


@dataclass
class Checker:
    """Checks and corrects English text with the detectors named.

    detectors: any of "glossary", "lm", "spacing". lm: a model name from `mtqa models`
    (default: the registry's default). threshold: flags scoring below it are dropped.
    min_score: `fix` applies a correction scoring at least this. glossary_files: extra glossary
    YAML files. disabled: rule ids, families or sources to turn off ("lm:prediction").
    references: related clean texts (their text, not paths) whose names and phrasing
    corrections follow. precision ("auto", "fp32", "bf16") and device ("auto", "cpu", "cuda"): where
    the language model runs (see `mtqa.lm.hardware`). on_warning: hears one line when a text does not look like English
    (the language-model detector is then skipped for it); default: ignored.
    """

    detectors: Sequence[str] = pipeline.DETECTORS
    lm: str | None = None
    threshold: float = pipeline.DEFAULT_THRESHOLD
    min_score: float = pipeline.DEFAULT_MIN_SCORE
    glossary_files: Sequence[Path] = ()
    disabled: Iterable[str] = ()
    references: Sequence[str] = ()
    precision: str = "auto"
    device: str = "auto"
    on_warning: Callable[[str], None] | None = None
    _built: dict[tuple[str, ...], CombinedDetector] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.detectors = pipeline.parse_detectors(",".join(self.detectors))
        self.disabled = frozenset(self.disabled)
        self.glossary_files = tuple(self.glossary_files)
        self.references = tuple(self.references)
        if self.lm is not None:
            from mtqa.lm import registry

            registry.spec(self.lm)  # an unknown name fails here, before any work

    def check(self, text: str, name: str = "<text>") -> list[Edit]:
        """The flags on `text`, in text order; offsets are indices into `text`. `name` labels warnings."""
        return [flag for *_, flags in self.check_blocks(text, name) for flag in flags]

    def check_blocks(self, text: str, name: str = "<text>") -> Iterator[tuple[int, int, int, list[Edit]]]:
        """`check` a block of paragraphs at a time, for long texts: memory stays bounded and a caller
        can show progress or stream flags as they come: (start, end, words, flags) per block."""
        detector = self._detector(self._names_for(text, name))
        yield from pipeline.check_blocks(detector, text, self.threshold, self.disabled)

    def fix(self, text: str, name: str = "<text>", progress: Callable[[int], None] | None = None) -> FixResult:
        """`text` with the accepted corrections applied, and which flags were applied or left."""
        names = self._names_for(text, name)
        return pipeline.fix_blocks(
            text,
            names,
            progress=progress,
            lm=self.lm,
            precision=self.precision,
            device=self.device,
            references=list(self.references),
            threshold=self.threshold,
            min_score=self.min_score,
            glossary_files=self.glossary_files,
            disabled=self.disabled,
        )

    def _names_for(self, text: str, name: str) -> list[str]:
        """The detectors to run on `text`: the language model's verdicts mean nothing on other languages."""
        guess = guess_language(text)
        if guess.english or "lm" not in self.detectors:
            return list(self.detectors)
        if self.on_warning:
            self.on_warning(guess.warning(name))
        return [n for n in self.detectors if n != "lm"]

    def _detector(self, names: list[str]) -> CombinedDetector:
        key = tuple(names)
        if key not in self._built:
            reference = None
            if self.references:
                from mtqa.text.reference import Reference

                reference = Reference(list(self.references))
            models = partial(pipeline.language_model, precision=self.precision, device=self.device)
            self._built[key] = pipeline.build_detector(names, self.lm, self.glossary_files, models=models, reference=reference)
        return self._built[key]
