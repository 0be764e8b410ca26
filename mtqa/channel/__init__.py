"""The noisy channel, shared by detection (`mtqa.detect.lm`) and correction (`mtqa.correct.scoring`).

A word on the page may be what translation or spinning made of another word. This layer
answers the two questions both sides ask, and nothing else:

* which other words could it have been? `candidates.generate` (and the always-checked
  families: `candidates.always_checked`, `titled`, `without_article`, `neuter_chains`), each
  candidate tagged with its origin, whose prior cost in bits is `origins.ORIGIN_COST`;
  `screen.Screen` drops hopeless candidates before the LM is asked;
* may it be changed at all? A proper name only into a spelling the document or the glossary
  backs (`names`), and a gendered pronoun made neuter only after a place or a body
  (`antecedents`, with GeoNames place names);
* how much likelier is the text with it? `windows.variant_request` builds the question in the
  same window of sentences (`windows.lm_chunks`) that the detector analysed, and
  `windows.gains` asks the language model, in bits.

Imports `lm`, `glossary`, `text` and `edits`; never `detect` or `correct`.
"""
