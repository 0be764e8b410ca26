"""mtqa: a machine-translation quality checker for English text.

The pipeline, one layer a package, each importing only from the layers below it:

    edits, errors      the one span type (`Edit`), error kinds, user-facing errors
    text               decoding, segmentation, text metrics, reference texts, language guess
    lm, glossary       language models behind one interface; curated mistranslations
    channel            the noisy channel shared by detection and correction: candidates,
                       origin priors, screening, the windows the LM is asked in
    detect             detectors: document in, flags (`Edit`s) out
    correct            flags in, ranked candidates, accepted edits, corrected text out
    pipeline, config   building detectors, detect-then-correct, long texts in blocks; settings files
    api                `Checker`: the pipeline for programs, the one path the commands run
    output, bench      what people and machines read; benchmarks
    corpus             many articles at once, locally or on Ray; the article damage score
    cli                the `mtqa` command

`tests/test_layers.py` fails when an import runs up this list.
"""

__all__ = ["Checker", "FixResult"]


def __getattr__(name: str):
    """`from mtqa import Checker, FixResult` without importing the pipeline (and torch) on `import mtqa`."""
    if name in __all__:
        from mtqa import api

        return getattr(api, name)
    raise AttributeError(f"module 'mtqa' has no attribute {name!r}")
