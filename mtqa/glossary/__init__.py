"""The glossary of known machine-translation damage: entries, loader and validator."""

from mtqa.glossary.model import Entry, Glossary, bundled_paths, carry_case, load_glossary

__all__ = ["Entry", "Glossary", "bundled_paths", "carry_case", "load_glossary"]
