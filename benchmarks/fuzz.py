"""Fuzz `check` and `fix` in-process with generated inputs; count crashes.

    python benchmarks/fuzz.py [--count 10000] [--seed 0] [--max-len 400] [--failures fuzz-failures.jsonl]

Inputs come from five generators, in turn: random unicode (every script, combining marks, emoji and
ZWJ sequences, bidi and other format characters, controls, lone surrogates), random ASCII heavy in
punctuation and line breaks, mutated slices of the seed and clean articles (joined sentences, CR/CRLF,
inserted glossary phrases, URLs, numbers, case changes, swapped and duplicated words), mutated glossary
example sentences, and degenerate shapes (only punctuation, one huge word, blank lines).

Each input goes through `check` (glossary + spacing + the trigram LM detector) and `fix` (the same
detectors, the trigram LM ranking candidates). A crash is any exception other than MtqaError (which
is a clean, reported user error). Invariants are checked too and counted as violations: every flag's
offsets index the text and its `text` equals the span; scores lie in [0, 1]; `fix` changes nothing
outside its applied edits. The exit status is 1 when there was any crash or violation.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mtqa import pipeline  # noqa: E402
from mtqa.errors import MtqaError  # noqa: E402

DETECTORS = ["glossary", "spacing", "lm"]
LM = "trigram"

# Code point ranges, by the trouble they cause.
POOLS: list[tuple[str, list[tuple[int, int]], int]] = [
    ("ascii", [(0x20, 0x7E)], 30),
    ("space", [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x2000, 0x200A), (0x2028, 0x2029), (0x3000, 0x3000)], 10),
    ("control", [(0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x9F)], 3),
    ("format", [(0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0xFEFF, 0xFEFF), (0xFE00, 0xFE0F), (0xE0001, 0xE007F)], 4),
    ("latin", [(0xC0, 0x24F), (0x1E00, 0x1EFF)], 10),
    ("combining", [(0x300, 0x36F), (0x1AB0, 0x1AFF), (0x20D0, 0x20FF)], 6),
    ("greek-cyrillic", [(0x370, 0x3FF), (0x400, 0x4FF)], 5),
    ("rtl", [(0x590, 0x5FF), (0x600, 0x6FF), (0x700, 0x74F)], 5),
    ("indic-thai", [(0x900, 0x97F), (0xE00, 0xE7F)], 3),
    ("cjk", [(0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3)], 5),
    ("emoji", [(0x1F300, 0x1FAFF), (0x2600, 0x27BF), (0x1F1E6, 0x1F1FF)], 6),
    ("math-letters", [(0x1D400, 0x1D7FF), (0xFB00, 0xFB06), (0xFF01, 0xFF5E)], 3),
    ("punctuation", [(0x2010, 0x2027), (0x2030, 0x205E), (0x3001, 0x3003), (0xFF0C, 0xFF0E)], 5),
    ("surrogate", [(0xD800, 0xDFFF)], 1),
    ("private-use", [(0xE000, 0xF8FF), (0xFFF0, 0xFFFF)], 1),
]
SNIPPETS = [
    "U.S.", "St. Petersburg", "e.g.", "Mr.", "No. 5", "3.5", "1,100", "2024-05-01", "12:30", "50%", "$1.2bn", "3rd",
    "https://www.example.com/a.b?c=d.E", "www.gov.pl", "x.y@mail.ru", "Ph.D.", "...", "?!", "—", " – ", "«", "»", "„", "”",
    "\"", "'", "(", ")", "[", "]", "(Reuters) ", "Aszchabad.One", "news.The", "aggression\".Moscow", "1", "she", "her",
    "\u00ad", "e\u0301", "👨\u200d👩\u200d👧", "🏳️\u200d🌈", "🇵🇱", "\u202eevil\u202c", "ﬁ", "İ", "ǅ", "ß", "\t", "\r", "\r\n", "\n\n",
]


class Generator:
    def __init__(self, rng: random.Random, max_len: int) -> None:
        self.rng = rng
        self.max_len = max_len
        self.articles = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
        self.articles += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "benchmarks" / "clean_text").glob("*.txt"))]
        from mtqa.glossary.model import load_glossary

        glossary = list(load_glossary())
        self.examples = [s for e in glossary for s in (*e.bad, *e.good)] or ["The abroad Minister met the safety Council."]
        self.phrases = [e.bad[0] for e in glossary if e.bad]
        self.weights = [w for _, _, w in POOLS]
        self.kinds: list[tuple[str, Callable[[], str]]] = [
            ("unicode", self.unicode),
            ("ascii", self.ascii),
            ("article", self.article),
            ("glossary", self.glossary),
            ("shape", self.shape),
        ]

    def char(self) -> str:
        _, ranges, _ = self.rng.choices(POOLS, self.weights)[0]
        low, high = self.rng.choice(ranges)
        return chr(self.rng.randint(low, high))

    def length(self) -> int:
        return min(self.max_len, int(self.rng.expovariate(1 / (self.max_len / 4))))

    def unicode(self) -> str:
        return "".join(self.char() for _ in range(self.length()))

    def ascii(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + " " * 12 + ".,;:!?'\"()-\n\r\t" * 2
        return "".join(self.rng.choice(alphabet) for _ in range(self.length()))

    def article(self) -> str:
        text = self.rng.choice(self.articles)
        start = self.rng.randrange(len(text))
        return self.mutate(text[start : start + max(1, self.length())])

    def glossary(self) -> str:
        return self.mutate(" ".join(self.rng.choice(self.examples) for _ in range(self.rng.randint(1, 4))))

    def shape(self) -> str:
        r = self.rng
        shapes = [
            lambda: r.choice(".!?,;:-") * r.randint(1, 300),
            lambda: "".join(r.choice("abcdefghij") for _ in range(r.randint(50, 600))),
            lambda: "\n" * r.randint(1, 50) + "word" + "\r\n" * r.randint(1, 50),
            lambda: " ".join(r.choice(SNIPPETS) for _ in range(r.randint(1, 60))),
            lambda: "".join(r.choice(SNIPPETS) for _ in range(r.randint(1, 60))),
            lambda: ("The abroad Minister " * r.randint(1, 30)).strip(),
            lambda: " ".join(r.choice(self.phrases) for _ in range(r.randint(1, 10))).replace(". ", "."),
            lambda: "\u0301" * r.randint(1, 100) + "a" + "\u200d" * r.randint(1, 20),
            lambda: r.choice(["", " ", "\n", "\ufeff", "\x00", "\r", "\t\t"]),
        ]
        return r.choice(shapes)()

    def mutate(self, text: str) -> str:
        r = self.rng
        for _ in range(r.randint(0, 5)):
            if not text:
                text = r.choice(SNIPPETS)
            i = r.randrange(len(text) + 1)
            j = min(len(text), i + r.randint(0, 30))
            op = r.randrange(12)
            if op == 0:
                text = text[:i] + text[i + 1 :]
            elif op == 1:
                text = text[:i] + "".join(self.char() for _ in range(r.randint(1, 5))) + text[i:]
            elif op == 2:
                text = text.replace(". ", ".", r.randint(1, 5))
            elif op == 3:
                text = text[:j] + text[i:j] + text[j:]
            elif op == 4:
                words = text.split(" ")
                if len(words) > 2:
                    a, b = r.randrange(len(words)), r.randrange(len(words))
                    words[a], words[b] = words[b], words[a]
                    text = " ".join(words)
            elif op == 5:
                text = text[:i] + text[i:j].upper() + text[j:]
            elif op == 6:
                text = text.replace("\n", r.choice(["\r\n", "\r", "\n\n", " "]))
            elif op == 7:
                text = text[:i] + " " + r.choice(self.phrases) + " " + text[i:]
            elif op == 8:
                text = text[:i] + r.choice(SNIPPETS) + text[i:]
            elif op == 9:
                text = text[:i] + text[i:j].lower() + text[j:]
            elif op == 10:
                text = text[:i] + "x" * r.randint(30, 300) + text[i:]
            else:
                text = text[:i] + r.choice([".", "..", "!", "?", ",", "\"", "'", "(", ")"]) + text[j:]
        return text

    def __call__(self, index: int) -> tuple[str, str]:
        kind, make = self.kinds[index % len(self.kinds)]
        return kind, make()


def check_invariants(text: str, flags) -> list[str]:
    problems = []
    for flag in flags:
        if not (0 <= flag.start <= flag.end <= len(text)):
            problems.append(f"offsets {flag.start}:{flag.end} outside a text of {len(text)}")
        elif text[flag.start : flag.end] != flag.text:
            problems.append(f"flag text {flag.text!r} != span {text[flag.start:flag.end]!r}")
        if not 0.0 <= flag.score <= 1.0:
            problems.append(f"score {flag.score} outside [0, 1]")
    return problems


def fix_invariants(text: str, result) -> list[str]:
    pieces, position = [], 0
    for edit in sorted(result.applied, key=lambda e: e.start):
        if edit.start < position or text[edit.start : edit.end] != edit.text:
            return [f"applied edit {edit.start}:{edit.end} {edit.text!r} does not index the input"]
        pieces += [text[position : edit.start], edit.suggestions[0].text]
        position = edit.end
    pieces.append(text[position:])
    if "".join(pieces) != result.text:
        return ["fix changed text outside its applied edits"]
    if not result.applied and result.text != text:
        return ["fix changed the text without applying an edit"]
    return []


def run(count: int, seed: int = 0, max_len: int = 400, failures: Path | None = None, quiet: bool = False) -> dict:
    rng = random.Random(seed)
    generate = Generator(rng, max_len)
    detector = pipeline.build_detector(DETECTORS, LM)
    pipeline.language_model(LM)  # loaded once, before the clock starts
    stats: Counter = Counter()
    found: list[dict] = []
    chars = 0
    began = time.perf_counter()
    for index in range(count):
        kind, text = generate(index)
        chars += len(text)
        stats[f"inputs:{kind}"] += 1
        for stage in ("check", "fix"):
            try:
                if stage == "check":
                    _, flags = pipeline.check_text(detector, text)
                    problems = check_invariants(text, flags)
                    stats["flags"] += len(flags)
                else:
                    result = pipeline.fix_text(text, DETECTORS, lm=LM)
                    problems = fix_invariants(text, result)
                    stats["edits"] += len(result.applied)
            except MtqaError:
                stats[f"{stage}:user-error"] += 1
                continue
            except Exception as error:  # noqa: BLE001  a crash: what we are looking for
                stats["crashes"] += 1
                stats[f"crash:{stage}:{type(error).__name__}"] += 1
                found.append({"index": index, "kind": kind, "stage": stage, "input": text, "error": repr(error), "traceback": traceback.format_exc()})
                continue
            if problems:
                stats["violations"] += 1
                found.append({"index": index, "kind": kind, "stage": stage, "input": text, "problems": problems})
        if not quiet and (index + 1) % 500 == 0:
            elapsed = time.perf_counter() - began
            print(f"{index + 1} inputs, {stats['crashes']} crashes, {stats['violations']} violations, {elapsed:.0f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - began
    if failures and found:
        failures.write_text("".join(json.dumps(f, ensure_ascii=True) + "\n" for f in found), encoding="utf-8")
    return {"inputs": count, "chars": chars, "seconds": round(elapsed, 1), "crashes": stats["crashes"], "violations": stats["violations"], "stats": dict(stats), "failures": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="inputs to generate (each goes through check and fix)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-len", type=int, default=400, help="longest generated input, in characters")
    parser.add_argument("--failures", type=Path, default=Path("fuzz-failures.jsonl"), help="where to write crashing inputs")
    args = parser.parse_args()
    report = run(args.count, args.seed, args.max_len, args.failures)
    stats = report["stats"]
    print(f"fuzz: {report['inputs']} inputs ({report['chars']} characters), each through check and fix, in {report['seconds']} s")
    print("  by generator: " + ", ".join(f"{k.split(':')[1]} {v}" for k, v in sorted(stats.items()) if k.startswith("inputs:")))
    print(f"  flags raised: {stats.get('flags', 0)}, edits applied: {stats.get('edits', 0)}")
    print(f"  crashes: {report['crashes']}, invariant violations: {report['violations']}")
    for key, value in sorted(stats.items()):
        if key.startswith("crash:") or key.endswith("user-error"):
            print(f"    {key}: {value}")
    for failure in report["failures"][:5]:
        print(f"  #{failure['index']} [{failure['kind']}/{failure['stage']}] {failure['input'][:120]!r}: {failure.get('error') or failure.get('problems')}")
    if report["failures"]:
        print(f"  all failing inputs: {args.failures}")
    sys.exit(1 if report["crashes"] or report["violations"] else 0)


if __name__ == "__main__":
    main()
