"""Text layer: exact decoding and atomic writes (`io`), segmentation into paragraphs, sentences and
words as offsets (`document`), sacrebleu text metrics (`metrics`), related clean texts as evidence
(`reference`), and whether a text is English at all (`language`). Imports nothing above `edits`."""
