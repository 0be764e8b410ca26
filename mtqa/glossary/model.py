"""Glossary entries: known machine-translation damage, each with its fix, context and examples.

An entry says: text matching `wrong` (a case-insensitive, word-bounded regex) is an
error with probability `prior`, to be replaced by `right` (templates expanded with
the match, so groups carry inflections), provided its `context` rules hold.
Entries carry good and bad example sentences, which are their tests.

Span convention: a mistranslated term is flagged as the whole collocation so the
correction reads as a unit ("abroad Minister" -> "Foreign Minister"); a false
friend of a function word is flagged alone, with context rules for its neighbours
("a fewer days": "fewer" -> "few" when preceded by "a").
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from mtqa.edits import KINDS
from mtqa.errors import MtqaError

FLAGS = regex.IGNORECASE
REQUIRED = ("id", "wrong", "right", "kind", "prior", "message")
OPTIONAL = ("context", "examples", "fixed")
CONTEXT_KEYS = ("before", "after", "not_before", "not_after", "near", "not_near")
ID = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
GROUP_REF = regex.compile(r"\\(\d+)|\\g<([^>]*)>")
# Later suggestions of an entry score slightly below its first.
RANK_DECAY = 0.95
# The C parser is ten times faster; both refuse tags, so files can only hold plain data.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def carry_case(original: str, replacement: str) -> str:
    """Give `replacement` the capitalisation of `original`.

    A capitalised original capitalises the replacement's first letter; an all-caps
    original (a headline) upper-cases it; otherwise the replacement is used as
    written, so entries spell proper nouns with their capitals ("Foreign Minister").
    """
    if not replacement:
        return replacement
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[0].upper() + replacement[1:]
    return replacement


@dataclass(frozen=True)
class Entry:
    id: str
    wrong: str
    right: tuple[str, ...]
    kind: str
    prior: float
    message: str
    pattern: regex.Pattern = field(repr=False, compare=False)
    context: dict[str, regex.Pattern] = field(default_factory=dict, repr=False, compare=False)
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    where: str = ""  # "file:line", for messages

    @property
    def rule(self) -> str:
        return f"glossary:{self.id}"

    def allows(self, sentence: str, start: int, end: int, previous: str = "") -> bool:
        """Whether the context rules hold for a match at sentence[start:end]."""
        return all(self._found(key, pattern, sentence, start, end, previous) != key.startswith("not_") for key, pattern in self.context.items())

    def vetoes(self, sentence: str, start: int, end: int, previous: str = "") -> bool:
        """Whether a neighbour rule (`not_before`, `not_after`) fires for a match: the words beside it
        show the usage is right ("erstwhile Soviet republics"). A missing required context, or a
        `not_near` guard (a woman is mentioned, who may be "she"), only leaves the entry without an
        opinion: the pronoun may still be wrong, as other evidence can show."""
        return any(
            self._found(key, pattern, sentence, start, end, previous)
            for key, pattern in self.context.items()
            if key in ("not_before", "not_after")
        )

    @staticmethod
    def _found(key: str, pattern: regex.Pattern, sentence: str, start: int, end: int, previous: str) -> bool:
        if key.endswith("before"):
            return pattern.search(sentence, 0, start) is not None
        if key.endswith("after"):
            return pattern.match(sentence, end) is not None
        # near: this sentence or the one before
        return pattern.search(sentence) is not None or pattern.search(previous) is not None

    def corrections(self, match: regex.Match) -> list[tuple[str, float]]:
        """The entry's corrections for `match`, case carried over, with their scores (best first)."""
        out: list[tuple[str, float]] = []
        for template in self.right:
            text = carry_case(match.group(), match.expand(template))
            if text != match.group() and text not in (t for t, _ in out):
                out.append((text, round(self.prior * RANK_DECAY ** len(out), 4)))
        return out


class Glossary:
    def __init__(self, entries: list[Entry] | tuple[Entry, ...]) -> None:
        self.entries = tuple(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def without(self, ids: set[str] | frozenset[str]) -> Glossary:
        """The glossary less the entries disabled by id ("safety-council" or "glossary:safety-council")."""
        return Glossary([e for e in self.entries if e.id not in ids and e.rule not in ids])

    def corrections(self, text: str) -> list[tuple[str, float]]:
        """Corrections (with priors) of the entries whose `wrong` matches all of `text`, context ignored."""
        found: dict[str, float] = {}
        for entry in self.entries:
            match = entry.pattern.fullmatch(text)
            if match:
                for fix, score in entry.corrections(match):
                    found[fix] = max(score, found.get(fix, 0.0))
        return sorted(found.items(), key=lambda item: -item[1])


def bundled_paths() -> list[Path]:
    """The glossary files shipped with mtqa (pass them with extra files to `load_glossary`)."""
    folder = importlib.resources.files("mtqa.glossary")
    if not isinstance(folder, Path):  # e.g. imported from a zip: fall back to the source folder
        folder = Path(__file__).parent
    return sorted(folder.glob("*.yaml"))


def load_glossary(paths: list[Path] | None = None) -> Glossary:
    """Load and validate glossary files (the bundled ones by default); errors name file and line."""
    if paths is None:
        return _bundled()
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in paths:
        for entry in _load_file(Path(path)):
            if entry.id in seen:
                raise MtqaError(f"{entry.where}: duplicate glossary id {entry.id!r} (first defined at {seen[entry.id]})")
            seen[entry.id] = entry.where
            entries.append(entry)
    return Glossary(entries)


@cache
def _bundled() -> Glossary:
    return load_glossary(bundled_paths())


def _load_file(path: Path) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise MtqaError(f"{path}: cannot read glossary: {e}") from None
    loader = YAML_LOADER(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else []
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = " ".join(str(e.problem or e.context or "invalid YAML").split())
        raise MtqaError(f"{path}{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as e:
        raise MtqaError(f"{path}: invalid YAML: {' '.join(str(e).split())}") from None
    finally:
        loader.dispose()
    if root is None:
        return []
    if not isinstance(data, list):
        raise MtqaError(f"{path}:{root.start_mark.line + 1}: a glossary file is a list of entries")
    return [_entry(item, f"{path}:{node.start_mark.line + 1}") for item, node in zip(data, root.value)]


def _entry(item: Any, where: str) -> Entry:
    def fail(problem: str) -> MtqaError:
        return MtqaError(f"{where}: {problem}")

    if not isinstance(item, dict):
        raise fail("an entry is a mapping with id, wrong, right, kind, prior, message")
    missing = [k for k in REQUIRED if k not in item]
    if missing:
        raise fail(f"entry {item.get('id', '?')!r} lacks {', '.join(missing)}")
    unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise fail(f"entry {item['id']!r} has unknown field(s) {', '.join(map(str, unknown))}")
    eid = item["id"]
    if not isinstance(eid, str) or not ID.fullmatch(eid):
        raise fail(f"bad id {eid!r}: use lower-case words joined by '-'")
    if item["kind"] not in KINDS:
        raise fail(f"{eid}: unknown kind {item['kind']!r} (one of {', '.join(KINDS)})")
    prior = item["prior"]
    if isinstance(prior, bool) or not isinstance(prior, (int, float)) or not 0 <= prior <= 1:
        raise fail(f"{eid}: prior must be a number in [0, 1]")
    if not isinstance(item["wrong"], str) or not isinstance(item["message"], str):
        raise fail(f"{eid}: wrong and message must be strings")
    right = _strings(item["right"], f"{eid}: right", fail)
    if not right:
        raise fail(f"{eid}: right needs at least one correction")

    pattern = _compile(rf"(?<![\w-])(?:{item['wrong']})(?![\w-])", f"{eid}: wrong", fail)
    if pattern.fullmatch(""):
        raise fail(f"{eid}: wrong matches the empty string")
    for template in right:
        for number, name in GROUP_REF.findall(template):
            if (number and int(number) > pattern.groups) or (name and name not in pattern.groupindex):
                raise fail(f"{eid}: correction {template!r} refers to a group that wrong lacks")

    context = item.get("context") or {}
    if not isinstance(context, dict) or set(context) - set(CONTEXT_KEYS):
        raise fail(f"{eid}: context takes only {', '.join(CONTEXT_KEYS)}")
    compiled: dict[str, regex.Pattern] = {}
    for key, value in context.items():
        if not isinstance(value, str):
            raise fail(f"{eid}: context {key} must be a regex string")
        source = {"before": rf"(?:{value})\s*$", "after": rf"\s*(?:{value})"}.get(key.removeprefix("not_"), value)
        compiled[key] = _compile(source, f"{eid}: context {key}", fail)

    examples = item.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"bad", "good"}:
        raise fail(f"{eid}: examples takes only bad and good")
    bad = _strings(examples.get("bad", []), f"{eid}: examples.bad", fail)
    good = _strings(examples.get("good", []), f"{eid}: examples.good", fail)
    fixed = _strings(item.get("fixed", []), f"{eid}: fixed", fail)
    if fixed and len(fixed) != len(bad):
        raise fail(f"{eid}: fixed needs one sentence per bad example")
    return Entry(eid, item["wrong"], right, item["kind"], float(prior), item["message"], pattern, compiled, bad, good, fixed, where)


def _strings(value: Any, what: str, fail: Callable[[str], MtqaError]) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise fail(f"{what} must be a string or a list of strings")
    return tuple(values)


def _compile(source: str, what: str, fail: Callable[[str], MtqaError]) -> regex.Pattern:
    try:
        return regex.compile(source, FLAGS)
    except (regex.error, OverflowError) as e:
        raise fail(f"{what} is not a valid regex: {e}") from None
