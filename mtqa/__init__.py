"""mtqa: a machine-translation quality checker for English text.

The pipeline, one layer a package, each importing only from the layers below it:

    edits, errors      the one span type (`Edit`), error kinds, user-facing errors
    text               decoding, segmentation, text metrics, reference texts, language guess
    lm, glossary       language models behind one interface; curated mistranslations
    channel            the noisy channel shared by detection and correction: candidates,
                       origin priors, screening, the windows the LM is asked in
    detect             detectors: document in, flags (`Edit`s) out
    correct            flags in, ranked candidates, accepted edits, corrected text out
    pipeline           building detectors, detect-then-correct, long texts in blocks
    output, bench      what people and machines read; benchmarks
    corpus             many articles at once, locally or on Ray; the article damage score
    cli                the `mtqa` command

`tests/test_layers.py` fails when an import runs up this list.
"""

__all__ = ["Checker"]


def __getattr__(name: str):
    """`from mtqa import Checker` without importing the pipeline (and torch) on `import mtqa`."""
    if name == "Checker":
        from mtqa.api import Checker

        return Checker
    raise AttributeError(f"module 'mtqa' has no attribute {name!r}")
