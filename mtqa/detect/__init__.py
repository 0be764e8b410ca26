"""Detectors: a `Document` in, flags (`Edit`s with offsets, score, message, suggestions) out.

`glossary` (curated mistranslations with context rules), `lm` (the noisy channel over a language
model), `spacing` (sentences joined with no space), `reference` (names a related clean text writes
differently), merged by `combined`. All implement `base.Detector`. Imports the channel and
the layers below it; never `correct`.
"""
