"""The labelled articles behind the damage score, checked with `mtqa corpus`.

Shared by `fit_damage.py` (fits on the dev groups only) and `damage_eval.py` (measures on all).

| group | label | used by | articles |
|---|---|---|---|
| seed-article | damaged | fit, eval | the seed article (round trip through Polish plus a spinner) |
| synthetic-dev | damaged | fit, eval | `benchmarks/sets/synthetic-dev.jsonl` |
| synthetic-heldout | damaged | eval only | `benchmarks/sets/synthetic-heldout.jsonl` |
| clean | clean | fit, eval | `benchmarks/sets/clean.jsonl` |
| clean-seed-2 | clean | fit, eval | `seeds/004_…txt` as published, web boilerplate and all |
| ted-ref | clean | fit, eval | human translations (`ref`) in ted-zhen, in pieces |
| ted-mt | damaged MT | eval only | the five MT systems' output in ted-zhen, in pieces |

ted-zhen talks run to 2,700 words, against 500–1,000 for the other articles, so each talk is cut
into pieces of about 350 words at segment boundaries, the same segments for every system (piece k
of a talk is the same source text in the human and every MT version), and only the first piece
of each talk is used: checking all 52,000 words with the language model takes hours on two busy
cores (`--all-pieces` takes every piece). ted-zhen is read from
`$MTQA_MQM` or `../shared/mqm/ted-zhen.jsonl` beside the repository, never copied into it; without
it its groups are left out, with a note.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "benchmarks" / "sets"
TED = Path(os.environ.get("MTQA_MQM", ROOT.parent / "shared" / "mqm" / "ted-zhen.jsonl"))
PIECE_WORDS = 350
FIT_GROUPS = ("seed-article", "synthetic-dev", "clean", "clean-seed-2", "ted-ref")
ALL_GROUPS = (*FIT_GROUPS, "synthetic-heldout", "ted-mt")
DAMAGED = {"seed-article", "synthetic-dev", "synthetic-heldout", "ted-mt"}


@dataclass(frozen=True)
class Group:
    name: str
    damaged: bool
    articles: list[tuple[str, str]]  # (id, text)


def _set_articles(name: str) -> list[tuple[str, str]]:
    with (SETS / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [(d["id"], d["text"]) for d in map(json.loads, handle)]


def _pieces(text: str, n: int) -> list[str]:
    """`text` cut into `n` runs of whole segments (blank-line separated), nearly equal in segments."""
    segments = text.split("\n\n")
    bounds = [round(i * len(segments) / n) for i in range(n + 1)]
    return ["\n\n".join(segments[a:b]) for a, b in zip(bounds, bounds[1:])]


def _ted(systems: str, all_pieces: bool) -> list[tuple[str, str]]:
    """ted-zhen documents of the human (`ref`) or MT (`mt`) systems, each talk cut the same way for all;
    the first piece of each, or every piece."""
    with TED.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    refs = {d["id"].rsplit("/", 1)[1]: d for d in docs if d["system"] == "ref"}
    articles = []
    for doc in docs:
        if (doc["system"] == "ref") != (systems == "ref"):
            continue
        talk = doc["id"].rsplit("/", 1)[1]
        n = max(1, round(len(refs[talk]["text"].split()) / PIECE_WORDS))
        pieces = _pieces(doc["text"], n)
        articles += [(f"{doc['id']}#{k + 1}", piece) for k, piece in enumerate(pieces if all_pieces else pieces[:1])]
    return articles


def groups(names: tuple[str, ...], all_pieces: bool = False) -> list[Group]:
    found = []
    for name in names:
        if name.startswith("ted-") and not TED.is_file():
            print(f"note: {TED} not found (set MTQA_MQM): group {name} left out", file=sys.stderr)
            continue
        if name == "clean-seed-2":
            articles = [("seeds/004_2830f0e07968d65a.txt", (ROOT / "seeds" / "004_2830f0e07968d65a.txt").read_text(encoding="utf-8"))]
        elif name == "ted-ref":
            articles = _ted("ref", all_pieces)
        elif name == "ted-mt":
            articles = _ted("mt", all_pieces)
        else:
            articles = _set_articles(name)
        found.append(Group(name, name in DAMAGED, articles))
    return found


def checked(groups: list[Group], records: Path | None, jobs: int, detectors: str) -> dict[str, list[dict]]:
    """Each group's `mtqa corpus` records, checked by `jobs` local workers. With a `records` folder,
    records already there are kept (--resume): delete it after changing the detectors."""
    from mtqa import pipeline
    from mtqa.corpus.engines import Settings, engine
    from mtqa.corpus.run import run_corpus
    from mtqa.corpus.sources import Source

    folder = records or Path(tempfile.mkdtemp(prefix="mtqa-damage-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(tuple(pipeline.parse_detectors(detectors)))
    result = {}
    for group in groups:
        source, out = folder / f"{group.name}.input.jsonl", folder / f"{group.name}.jsonl"
        source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in group.articles), encoding="utf-8")
        stats = run_corpus(Source(source), out, engine("local", settings, jobs, None), resume=True)
        print(f"{group.name}: {stats.articles} articles, {stats.words:,} words checked now in {stats.seconds:.0f} s", file=sys.stderr)
        with out.open(encoding="utf-8") as handle:
            result[group.name] = [json.loads(line) for line in handle]
    return result
