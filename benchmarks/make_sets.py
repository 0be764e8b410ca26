"""Regenerate the benchmark sets in benchmarks/sets/ (byte-identical on every run).

    python benchmarks/make_sets.py [--out DIR]

- seed-article.jsonl: the seed article with its hand annotation (ANNOTATION below; offsets
  are found with str.find in reading order, so they are exact).
- clean.jsonl: clean news prose for the false-alarm rate: the body of seed 004 (web
  boilerplate removed) and the articles in benchmarks/clean_text/.
- synthetic-dev.jsonl / synthetic-heldout.jsonl: clean articles damaged by
  mtqa.bench.corrupt with the dev and the held-out families, from disjoint source documents.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mtqa.bench.corrupt import DEV_FAMILIES, HELDOUT_FAMILIES, corrupt  # noqa: E402
from mtqa.bench.sets import apply_corrections, validate_set  # noqa: E402
from mtqa.edits import Edit, Suggestion  # noqa: E402

SEED_ARTICLE = ROOT / "seeds" / "000_10c6de3dd944f833.txt"
SEED_CLEAN = ROOT / "seeds" / "004_2830f0e07968d65a.txt"
CLEAN_TEXT = ROOT / "benchmarks" / "clean_text"
SEED = 20250622
RATE = 0.05  # one error per 20 words
QUOTED = "news article, quoted for evaluation"
CC0 = "CC0, written for mtqa"
# Written articles that feed each synthetic set: dev and held-out never share a source.
DEV_SOURCES = ("01_lavrov_central_asia", "02_security_council_ceasefire", "03_economic_forum", "04_iran_nuclear_talks")
HELDOUT_SOURCES = ("05_climate_talks_bonn", "06_asian_economies", "seed-004")

# (context, span, corrections, kind): the span is looked up inside the first occurrence of
# the context after the previous entry, so entries are in reading order. Traps have no
# corrections. Judgement calls are listed in benchmarks/sets/README.md.
ANNOTATION: list[tuple[str, str, list[str], str]] = [
    # headline
    ("The amazing function", "function", ["role"], "term"),
    ("Moscow's Subtle", "Subtle", ["subtle"], "grammar"),
    ("mediate East", "mediate East", ["Middle East"], "term"),
    ("works erstwhile the", "erstwhile", ["when"], "function-word"),
    ("the large powers", "large", ["great", "major"], "term"),
    ("advocate on either side", "advocate on either side", ["take sides", "take either side"], "term"),
    # author line and photo caption
    ("the economical Faculty", "economical Faculty", ["Faculty of Economics", "Economics Faculty"], "morphology"),
    ("Administration at the President", "at", ["under"], "function-word"),
    ("Russian president Vladimir", "president", ["President"], "grammar"),
    ("Iranian abroad Minister", "abroad Minister", ["Foreign Minister"], "term"),
    ("before gathering in", "gathering", ["meeting", "a meeting"], "term"),
    # body
    ("a fresh visit", "fresh", ["recent"], "term"),
    ("Russian abroad Minister", "abroad Minister", ["Foreign Minister"], "term"),
    ("Sergei Lavrow", "Lavrow", ["Lavrov"], "name"),
    ("interviewed his counterparts", "interviewed", ["met", "met with", "held talks with"], "term"),
    ("global Relations", "global Relations", ["International Relations"], "term"),
    ("in Aszchabad", "Aszchabad", ["Ashgabat"], "name"),
    ("but besides straight", "besides", ["also"], "function-word"),
    ("straight on Central", "straight on", ["directly"], "term"),
    ("Asia's safety dynamics", "safety", ["security"], "term"),
    ("which divides over", "divides", ["shares"], "term"),
    ("a fewer miles", "fewer", ["few"], "function-word"),
    ("the possible of", "possible", ["possibility", "prospect"], "morphology"),
    ("fragile interior balances", "interior", ["internal", "domestic"], "term"),
    ("covering another confederate", "another", ["other"], "grammar"),
    ("another confederate", "confederate", ["southern"], "term"),
    ("confederate erstwhile russian", "erstwhile", [], "trap"),
    ("erstwhile russian republics", "russian", ["Soviet", "Russian"], "grammar"),
    ("Lavrow's appeal", "Lavrow", ["Lavrov"], "name"),
    ("regional stableness", "stableness", ["stability"], "morphology"),
    ("the buffer region", "buffer region", ["buffer zone"], "term"),
    ("Russia's confederate flank", "confederate", ["southern"], "term"),
    ("the close regions", "close", ["neighbouring", "nearby", "adjacent", "border"], "term"),
    ("and strategical priorities", "strategical", ["strategic"], "morphology"),
    ("January of that year", "that", ["this"], "function-word"),
    ("comprehensive strategical", "strategical", ["strategic"], "morphology"),
    ("only a fewer days", "fewer", ["few"], "function-word"),
    ("Iranian abroad minister", "abroad minister", ["Foreign Minister"], "term"),
    ("met with president", "president", ["President"], "grammar"),
    ("talks with Lavrow", "Lavrow", ["Lavrov"], "name"),
    ("as a marked", "a marked", ["marked by"], "grammar"),
    ("total common understanding", "common", ["mutual"], "term"),
    ("the Al-Araba", "Al-Araba", ["Al-Araby"], "name"),
    ("information agency", "information agency", ["news agency", "news outlet"], "term"),
    ("a fresh UN", "fresh", ["new"], "term"),
    ("UN safety Council", "safety Council", ["Security Council"], "term"),
    ("global economical Forum", "global economical Forum", ["International Economic Forum"], "term"),
    ("avoided an inflammatory", "an inflammatory", ["inflammatory"], "grammar"),
    ("Israel, alternatively", "alternatively", ["instead"], "function-word"),
    ("the request for", "request", ["need"], "term"),
    ("in any cases", "any", ["some"], "function-word"),
    ("This double attitude", "double", ["dual"], "term"),
    ("either organization", "organization", ["party", "side"], "term"),
    ("– period.", "period", [], "trap"),
    ("A fewer days", "fewer", ["few"], "function-word"),
    ("Araghchi Putin's journey, he", "Araghchi Putin's journey, he", ["Araghchi's journey, Putin", "Araghchi's visit, Putin"], "grammar"),
    ("he publically", "publically", ["publicly"], "morphology"),
    ("reprimand, alternatively", "alternatively", ["but rather", "but"], "function-word"),
    ("if the strategical", "strategical", ["strategic"], "morphology"),
    ("regional safety framework", "safety", ["security"], "term"),
    ("In retrospect", "In retrospect", [], "trap"),
    ("earlier, he might", "he", ["it"], "pronoun"),
    ("to defy the attacks", "defy", ["repel", "withstand", "resist"], "term"),
    ("For Russia, safety", "safety", ["security"], "term"),
    ("Most importantly", "Most importantly", [], "trap"),
    ("the strategical agreement", "strategical", ["strategic"], "morphology"),
    ("common defence obligations", "common", ["mutual"], "term"),
    ("does it order", "order", ["require", "mandate"], "term"),
    ("an empty check", "an empty check", ["a blank check", "a blank cheque"], "term"),
    ("a common war", "common", ["joint"], "term"),
    ("In fact, the", "fact", [], "trap"),
    ("the Treaty", "Treaty", [], "trap"),
    ("each organization", "organization", ["party", "side"], "term"),
    ("a 3rd party", "3rd", ["third"], "grammar"),
    ("and strategical balance", "strategical", ["strategic"], "morphology"),
    ("a common interest", "common", [], "trap"),
    ("But she refrains", "she", ["it"], "pronoun"),
    ("to her national", "her", ["its"], "pronoun"),
    ("One improvement", "improvement", ["development"], "term"),
    ("peculiar attention", "peculiar", ["particular"], "term"),
    ("milder speech", "speech", ["tone"], "term"),
    ("a fewer sharp", "fewer", ["few"], "function-word"),
    ("fact Social", "fact Social", ["Truth Social"], "term"),
    ("strategic alternatively than", "alternatively", ["rather"], "function-word"),
    ("delicate safety coordination", "safety", ["security"], "term"),
    ("it's an accident", "an accident", ["a coincidence"], "term"),
    ("quietly form the", "form", ["shape"], "term"),
    ("is yet 1", "yet", ["still"], "function-word"),
    ("1 of the fewer", "1", ["one"], "function-word"),
    ("the fewer actors", "fewer", ["few"], "function-word"),
    ("entirely likely", "likely", ["possible"], "term"),
    ("the mediate East", "mediate East", ["Middle East"], "term"),
    ("Iran, they are", ", they", [""], "grammar"),
    ("scheduled for quiet", "scheduled for", ["timed to coincide with", "coinciding with"], "term"),
    ("frequently moves", "frequently", [], "trap"),
]
# A sentence glued to the next one: a stop after a lower-case letter or a closing quote, then a
# capital. "U.S. rhetoric" does not match (capital before the stop), nor does the
# "Russia.© Sputnik" photo credit (no capital after the stop).
JOIN = regex.compile(r"(?<=(?:\p{Ll}|[\"”’])[.!?])(?=\p{Lu})")

# Web boilerplate in seed 004, cut from the article prose; headings get their own lines.
SEED_CLEAN_CUTS = (
    " read more Russian President Vladimir Putin attends a meeting with editors of the federal lineup of history "
    "textbooks for grades 5 to 11 of secondary school as well as vocational schools, at the Kremlin in Moscow, "
    "Russia, June 22, 2025. File Image/Sputlink via Reuters",
    " Iran's Foreign Minister Abbas Araghchi addresses a special session of the Human Rights Council at the United "
    "Nations in Geneva, Switzerland, June 20, 2025. File Image/Reuters",
    " STORY CONTINUES BELOW THIS AD With inputs from agencies",
    " STORY CONTINUES BELOW THIS AD",
)
SEED_CLEAN_HEADINGS = (
    "How Moscow is walking a diplomatic tightrope",
    "How the Iran-Russia relationship is a partnership with limits",
    "How the conflict has put Moscow in a dilemma",
)


def gold(start: int, text: str, corrections: list[str], kind: str) -> Edit:
    return Edit(start, start + len(text), text, tuple(Suggestion(c) for c in corrections), source="gold", kind=kind)


def _word_index(context: str, span: str) -> int:
    """Where `span` starts in `context` as whole words ("at" in "Administration at the" is the second one)."""
    left = r"(?<!\w)" if span[:1].isalnum() else ""
    right = r"(?!\w)" if span[-1:].isalnum() else ""
    return regex.search(f"{left}{regex.escape(span)}{right}", context).start()


def annotate_seed(text: str) -> list[Edit]:
    edits, pos = [], 0
    for context, span, corrections, kind in ANNOTATION:
        at = text.find(context, pos)
        if at < 0:
            raise SystemExit(f"annotation context {context!r} not found after offset {pos}")
        start = at + _word_index(context, span)
        edits.append(gold(start, span, corrections, kind))
        pos = start  # the next context may begin inside this span
    edits += [gold(m.start(), "", [" "], "spacing") for m in JOIN.finditer(text)]
    return sorted(edits, key=lambda e: (e.start, e.end))


def seed_clean_body() -> str:
    """The article prose of seed 004: headline, standfirst and body, without web boilerplate."""
    lines = SEED_CLEAN.read_text(encoding="utf-8").splitlines()
    title = "Iran turns to Russia after US bombing: Will Putin be of any help?"
    body = next(line for line in lines if line.startswith("After the US bombed"))
    for cut in SEED_CLEAN_CUTS:
        if cut not in body:
            raise SystemExit(f"seed 004 changed: {cut[:40]!r}... not found")
        body = body.replace(cut, "\n\n")
    for heading in SEED_CLEAN_HEADINGS:
        body = body.replace(f" {heading} ", f"\n\n{heading}\n\n")
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return "\n\n".join([title, *paragraphs]) + "\n"


def record(id: str, text: str, edits: list[Edit], source: str, licence: str, clean: str | None = None) -> dict:
    doc = {
        "id": id,
        "text": text,
        "edits": [
            {"start": e.start, "end": e.end, "text": e.text, "corrections": [s.text for s in e.suggestions], "kind": e.kind}
            for e in edits
        ],
    }
    if clean is not None:
        doc["clean"] = clean
    doc.update(source=source, licence=licence)
    return doc


def clean_documents() -> dict[str, tuple[str, str, str]]:
    """name -> (text, source, licence) for every clean document."""
    docs = {"seed-004": (seed_clean_body(), f"seeds/{SEED_CLEAN.name} (firstpost.com), web boilerplate removed", QUOTED)}
    for path in sorted(CLEAN_TEXT.glob("*.txt")):
        docs[path.stem] = (path.read_text(encoding="utf-8"), f"benchmarks/clean_text/{path.name} (fictional news-style article)", CC0)
    return docs


def synthetic(docs: dict[str, tuple[str, str, str]], names: tuple[str, ...], families, label: str) -> list[dict]:
    out = []
    for name in names:
        text, source, licence = docs[name]
        rng = random.Random(f"{SEED}:{label}:{name}")
        damaged, edits = corrupt(text, families, RATE, rng)
        assert apply_corrections(damaged, edits) == text
        out.append(
            record(
                f"{label}-{name}",
                damaged,
                edits,
                f"synthetic: mtqa.bench.corrupt {label} families, rate {RATE}, seed {SEED}, from {source}",
                licence,
                clean=text,
            )
        )
    return out


def write_jsonl(path: Path, docs: list[dict]) -> None:
    path.write_bytes("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs).encode("utf-8"))
    validate_set(path)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    edits = annotate_seed(text)
    seed_doc = record(
        "seed-000",
        text,
        edits,
        f"seeds/{SEED_ARTICLE.name}: rt.com article machine-translated via Polish and spun, reposted on a blog",
        QUOTED,
        clean=apply_corrections(text, edits),
    )
    write_jsonl(out / "seed-article.jsonl", [seed_doc])
    docs = clean_documents()
    write_jsonl(out / "clean.jsonl", [record(f"clean-{name}", text, [], source, licence) for name, (text, source, licence) in docs.items()])
    write_jsonl(out / "synthetic-dev.jsonl", synthetic(docs, DEV_SOURCES, DEV_FAMILIES, "dev"))
    write_jsonl(out / "synthetic-heldout.jsonl", synthetic(docs, HELDOUT_SOURCES, HELDOUT_FAMILIES, "heldout"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "sets")
    main(parser.parse_args().out)
