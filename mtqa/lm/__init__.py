"""Language models behind one small interface (`base.LanguageModel`): batched token
log-probabilities with top predictions, and continuation scoring that reuses the cached prefix.
`registry` lists, verifies and loads them; `transformer` and `ngram` are the backends;
`memo` remembers answers across detectors. Imports only `text`, `edits` and `errors`."""
