"""Correction: flags in, corrected text out. `scoring.Ranker` scores each flag's candidates by
the LM, the glossary and reference phrasing; `fixing.correct` accepts the backed ones and
`apply` writes them in one pass. Takes flags as input: it never imports `detect` (the
`pipeline` runs detection first)."""
