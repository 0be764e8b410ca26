"""The `mtqa bench` runner: every detector on every benchmark set, scored ERRANT-style, timed and plotted.

A bench detector is a list of parts whose flags are merged by `CombinedDetector`.
Parts are cached per document; "combined" is one part, the detector `mtqa check`
builds, because its glossary hands the LM the swaps it established and the
usages it cleared, which merging separate runs would miss. Detectors run once with every flag kept; the threshold and the
sweep only filter flags by score afterwards.

Documents of a set are pooled into one text (joined by a blank line, edits
shifted) so that every metric is micro-averaged over the set.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mtqa import pipeline
from mtqa.bench import metrics
from mtqa.bench.sets import Sample, load_set
from mtqa.correct.apply import apply, select
from mtqa.detect.base import Detector
from mtqa.detect.combined import CombinedDetector
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.lm.base import LanguageModel
from mtqa.lm.memo import MemoLM
from mtqa.text.document import Document

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"
SETS_DIR = BENCH_DIR / "sets"
DEFAULT_OUT = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"

SET_NAMES = ("seed-article", "clean", "synthetic-dev", "synthetic-heldout")
SEED_SET = "seed-article"
# Cheapest first: ru_maxrss only grows, so the process peak after each detector is mostly its own.
DETECTORS = ("glossary", "spellcheck", "link-grammar", "lm-trigram", "lm-smollm2", "combined")
SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SCALE_COPIES = (1, 4, 16)  # copies of the seed article (~1k words each); 16 only with --scale
SCALE_DETECTORS = ("lm-trigram", "combined")
WARM_UP = "The abroad Minister met the safety Council in Aszchabad.One day later she said so."
SEPARATOR = "\n\n"


def parts_of(detector: str) -> list[str]:
    """Part keys of a bench detector: "glossary", "spacing", "lm:<model>", or a baseline's name."""
    return {
        "glossary": ["glossary"],
        "lm-smollm2": ["lm:smollm2-135m"],
        "lm-trigram": ["lm:trigram"],
        # What `mtqa check` runs, as one part: the glossary hands the LM what it established and cleared.
        "combined": [f"combined:{registry.default_model()}"],
        "spellcheck": ["spellcheck"],
        "link-grammar": ["link-grammar"],
    }[detector]


def build_part(key: str, models: Callable[[str], LanguageModel] = pipeline.language_model) -> Detector:
    from mtqa.bench import baselines

    if key == "spellcheck":
        return baselines.SpellcheckDetector()
    if key == "link-grammar":
        return baselines.LinkGrammarDetector()
    name, _, lm = key.partition(":")
    if name == "combined":
        return pipeline.build_detector(list(pipeline.DETECTORS), lm or None, models=models)
    return pipeline.build_detector([name], lm or None, models=models).detectors[0]


# -- sets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchSet:
    name: str
    path: Path
    samples: list[Sample]


def resolve_sets(names: list[str]) -> list[BenchSet]:
    """Sets by name (in benchmarks/sets/) or by path to a JSONL file."""
    out = []
    for name in names:
        path = Path(name)
        if path.suffix == ".jsonl" and path.is_file():
            out.append(BenchSet(path.stem, path, load_set(path)))
        elif name in SET_NAMES:
            out.append(BenchSet(name, SETS_DIR / f"{name}.jsonl", load_set(SETS_DIR / f"{name}.jsonl")))
        else:
            raise MtqaError(f"unknown set {name!r}; choose from {', '.join(SET_NAMES)}, or give a .jsonl file")
    return out


def parse_detectors(specs: list[str]) -> list[str]:
    """Detector names from repeated and/or comma-separated options, in bench order."""
    names = [n.strip() for spec in specs for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in DETECTORS]
    if unknown or not names:
        raise MtqaError(f"unknown detector(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(DETECTORS)}")
    return [d for d in DETECTORS if d in names]


@dataclass(frozen=True)
class Pooled:
    """A set's documents as one text, with gold edits and traps in its offsets."""

    text: str
    gold: list[Edit]
    traps: list[Edit]
    offsets: list[int]


def shifted(edits: list[Edit], offset: int) -> list[Edit]:
    return [replace(e, start=e.start + offset, end=e.end + offset) for e in edits]


def pool(samples: list[Sample]) -> Pooled:
    offsets, position = [], 0
    for sample in samples:
        offsets.append(position)
        position += len(sample.text) + len(SEPARATOR)
    return Pooled(
        SEPARATOR.join(s.text for s in samples),
        [e for s, o in zip(samples, offsets) for e in shifted(s.edits, o)],
        [e for s, o in zip(samples, offsets) for e in shifted(s.traps, o)],
        offsets,
    )


# -- scoring -------------------------------------------------------------------------------------


def _scores(flags: list[Edit], gold: list[Edit]) -> dict[str, float]:
    s = metrics.span_scores(flags, gold)
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "precision": s.precision, "recall": s.recall, "f05": s.f05, "f1": s.f1}


def false_alarms(flags: list[Edit], pooled: Pooled) -> float:
    """Flags that touch no gold error, per 1,000 words (on the clean set: every flag)."""
    wrong = [f for f in flags if not any(f.overlaps(g) for g in pooled.gold)]
    return metrics.false_alarms_per_1000_words(wrong, pooled.text)


def corrected(text: str, flags: list[Edit]) -> str:
    """`text` with each flag's first suggestion applied (overlaps: the surer suggestion wins)."""
    return apply(text, select([f for f in flags if f.suggestions]))


def score(samples: list[Sample], flags_by_doc: list[list[Edit]], threshold: float) -> dict[str, Any]:
    """All metrics of one detector on one set; `flags_by_doc` holds every flag, whatever its score."""
    pooled = pool(samples)
    every = [f for flags, o in zip(flags_by_doc, pooled.offsets) for f in shifted(flags, o)]
    flags = [f for f in every if f.score >= threshold]
    no_spacing_gold = [g for g in pooled.gold if g.kind != "spacing"]
    result: dict[str, Any] = {
        "flags": len(flags),
        "all": _scores(flags, pooled.gold),
        "no_spacing": _scores([f for f in flags if f.kind != "spacing"], no_spacing_gold),
        "token_mcc": metrics.token_mcc(pooled.text, flags, pooled.gold),
        "correction_accuracy": metrics.correction_accuracy(flags, pooled.gold),
        "recall_by_kind": metrics.recall_by_kind(flags, pooled.gold),
        "traps_hit": metrics.traps_hit(flags, pooled.traps, pooled.gold),
        "false_alarms_per_1k_words": false_alarms(flags, pooled),
        "text": None,
        "sweep": [],
    }
    with_clean = [(s, f) for s, f in zip(samples, flags_by_doc) if s.clean is not None]
    if with_clean:
        hypotheses = [corrected(s.text, [f for f in doc_flags if f.score >= threshold]) for s, doc_flags in with_clean]
        result["text"] = metrics.text_metrics(hypotheses, [s.clean for s, _ in with_clean])
    for t in SWEEP:
        kept = [f for f in every if f.score >= t]
        s = metrics.span_scores(kept, pooled.gold)
        result["sweep"].append(
            {"threshold": t, "precision": s.precision, "recall": s.recall, "f05": s.f05, "false_alarms_per_1k_words": false_alarms(kept, pooled)}
        )
    return result


# -- running -------------------------------------------------------------------------------------


@dataclass
class Part:
    detector: Detector
    load_s: float  # constructing it: reading glossaries, loading models
    first_call_s: float  # its first detect() on a one-line text: lazy set-up, warm caches


@dataclass(frozen=True)
class _Replay:
    """A part whose flags on the document are already known, so that `CombinedDetector` merges
    them exactly as it merges a live detector's."""

    name: str
    flags: list[Edit]

    def detect(self, doc: Document) -> list[Edit]:
        return self.flags


Advance = Callable[[str, int], None]  # (what is running, words done)


class Runner:
    """Runs bench detectors, building each part once.

    On the sets, the transformer LM is wrapped in a `MemoLM`, so `combined` pays only for the
    questions `lm-smollm2` did not already ask; the scale runs use parts without it (`timed`), so
    their times are what `mtqa check` costs.
    """

    def __init__(self, advance: Advance | None = None) -> None:
        self.parts: dict[str, Part] = {}
        self.flags: dict[tuple[str, str, str], tuple[list[Edit], float]] = {}  # (part, set, doc id) -> flags, seconds
        self.advance = advance or (lambda _what, _words: None)
        self.memos: dict[str, MemoLM] = {}

    def shared_model(self, name: str) -> LanguageModel:
        from mtqa.lm.transformer import TransformerLM

        model = pipeline.language_model(name)
        if not isinstance(model, TransformerLM):  # cheap models gain nothing from remembering
            return model
        return self.memos.setdefault(name, MemoLM(model))

    def part(self, key: str, timed: bool = False) -> Part:
        slot = f"{key} (timed)" if timed else key
        if slot not in self.parts:
            started = time.perf_counter()
            detector = build_part(key, pipeline.language_model if timed else self.shared_model)
            built = time.perf_counter()
            detector.detect(Document(WARM_UP))
            self.parts[slot] = Part(detector, built - started, time.perf_counter() - built)
        return self.parts[slot]

    def release(self, keep: set[str]) -> None:
        """Drop the parts no later detector needs (ending the link-grammar process)."""
        if not any(k.startswith(("lm:", "combined:")) for k in keep):
            self.memos.clear()
        for key in [k for k in self.parts if k.removesuffix(" (timed)") not in keep]:
            close = getattr(self.parts.pop(key).detector, "close", None)
            if close:
                close()

    def detect(self, detector: str, doc: Document, cache_key: tuple[str, str] | None = None) -> tuple[list[Edit], float]:
        """Every flag of a bench detector on `doc` (any score), and the seconds its parts took.
        Without a `cache_key` (the scale runs), nothing is shared or remembered."""
        found, seconds = [], 0.0
        for key in parts_of(detector):
            cached = self.flags.get((key, *cache_key)) if cache_key else None
            if cached is None:
                part = self.part(key, timed=cache_key is None).detector
                started = time.perf_counter()
                cached = (part.detect(doc), time.perf_counter() - started)
                if cache_key:
                    self.flags[(key, *cache_key)] = cached
            found.append(_Replay(key, cached[0]))
            seconds += cached[1]
        started = time.perf_counter()
        merged = CombinedDetector(found).detect(doc)
        return merged, seconds + time.perf_counter() - started


def words_of(text: str) -> int:
    return Document(text).word_count()


def scale_text(copies: int) -> str:
    seed = load_set(SETS_DIR / f"{SEED_SET}.jsonl")[0].text
    return SEPARATOR.join([seed] * copies)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())


def _commit() -> str | None:
    """The checked-out commit, marked "+modified" when the working tree differs from it."""
    def git(*args: str) -> str:
        # GIT_OPTIONAL_LOCKS=0: only read, never take the index lock from someone committing.
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, env=env).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain"):
        commit += "+modified"
    return commit or None


def machine_info() -> dict[str, Any]:
    import torch

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "commit": _commit(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_bench(
    set_names: list[str],
    detectors: list[str],
    threshold: float = pipeline.DEFAULT_THRESHOLD,
    scale: bool = True,
    advance: Advance | None = None,
    command: str = "mtqa bench",
) -> dict[str, Any]:
    """Run the bench and return every number; `advance` hears (what is running, words done)."""
    started = time.perf_counter()
    sets = resolve_sets(set_names)
    runner = Runner(advance)
    results: dict[str, Any] = {
        "version": 1,
        "command": command,
        "machine": machine_info(),
        "threshold": threshold,
        "sweep_thresholds": list(SWEEP),
        "sets": {},
        "detectors": {},
        "results": {s.name: {} for s in sets},
        "input_text": {},
        "scale": [],
        "signatures": {},
    }
    docs, segmenting = {}, {}  # segmentation is shared by all detectors, and counted in each one's time
    for s in sets:
        started_set = time.perf_counter()
        docs[s.name] = [Document(x.text) for x in s.samples]
        segmenting[s.name] = time.perf_counter() - started_set
    for s in sets:
        pooled = pool(s.samples)
        results["sets"][s.name] = {
            "path": str(s.path.relative_to(ROOT)) if s.path.resolve().is_relative_to(ROOT) else str(s.path),
            "documents": len(s.samples),
            "words": sum(d.word_count() for d in docs[s.name]),
            "errors": len(pooled.gold),
            "spacing_errors": sum(g.kind == "spacing" for g in pooled.gold),
            "traps": len(pooled.traps),
        }
        with_clean = [x for x in s.samples if x.clean is not None]
        if with_clean:  # the uncorrected input against clean: what a detector's corrections start from
            results["input_text"][s.name] = _text_only(metrics.text_metrics([x.text for x in with_clean], [x.clean for x in with_clean]), results)

    for index, detector in enumerate(detectors):
        info: dict[str, Any] = {"parts": parts_of(detector), "note": None, "skipped": False}
        results["detectors"][detector] = info
        try:
            parts = [runner.part(key) for key in parts_of(detector)]
        except MtqaError as error:  # a model or a system package that is not installed: skip the row
            info.update(skipped=True, note=str(error))
            runner.advance(f"{detector}: skipped", sum(results["sets"][s.name]["words"] for s in sets))
            continue
        info["load_s"] = sum(p.load_s for p in parts)
        info["first_call_s"] = sum(p.first_call_s for p in parts)
        for s in sets:
            flags_by_doc, seconds = [], segmenting[s.name]
            for sample, doc in zip(s.samples, docs[s.name]):
                flags, took = runner.detect(detector, doc, (s.name, sample.id))
                flags_by_doc.append(flags)
                seconds += took
                runner.advance(f"{detector} on {s.name}", doc.word_count())
            result = score(s.samples, flags_by_doc, threshold)
            if result["text"]:
                result["text"] = _text_only(result["text"], results)
            words = results["sets"][s.name]["words"]
            result.update(seconds=seconds, s_per_1k_words=1000 * seconds / words if words else 0.0)
            results["results"][s.name][detector] = result
        if detector in SCALE_DETECTORS:
            results["scale"] += _scale_runs(runner, detector, scale)
        info["note"] = "; ".join(n for n in (getattr(p.detector, "note", None) for p in parts) if n) or None
        workers = [w() for w in (getattr(p.detector, "worker_peak_rss_mb", None) for p in parts) if w]
        if any(workers):  # link-grammar parses in a process of its own
            info["worker_peak_rss_mb"] = max(w for w in workers if w)
        runner.release({k for later in detectors[index + 1 :] for k in parts_of(later)})
        info["peak_rss_mb"] = peak_rss_mb()
    runner.release(set())
    results["wall_s"] = time.perf_counter() - started
    return results


def _text_only(scores: dict[str, Any], results: dict[str, Any]) -> dict[str, float]:
    """Numbers stay with the result; the sacrebleu signatures (the same for all) go to the top."""
    for name in ("bleu", "chrf", "ter"):
        results["signatures"][name] = scores[f"{name}_signature"]
    return {name: scores[name] for name in ("bleu", "chrf", "ter")}


def _scale_runs(runner: Runner, detector: str, scale: bool) -> list[dict[str, Any]]:
    """Seconds to check 1, 4 (and 16) copies of the seed article, document segmentation included."""
    rows = []
    for copies in SCALE_COPIES if scale else SCALE_COPIES[:-1]:
        text = scale_text(copies)
        started = time.perf_counter()
        doc = Document(text)
        runner.detect(detector, doc)
        seconds = time.perf_counter() - started
        words = doc.word_count()
        runner.advance(f"{detector}: {words:,} words", words)
        rows.append({"detector": detector, "copies": copies, "words": words, "seconds": seconds, "s_per_1k_words": 1000 * seconds / words})
    return rows


def planned_words(set_names: list[str], detectors: list[str], scale: bool) -> int:
    """Words the bench will check, for the progress bar."""
    per_pass = sum(words_of(s.text) for b in resolve_sets(set_names) for s in b.samples)
    seed = words_of(scale_text(1))
    copies = sum(SCALE_COPIES if scale else SCALE_COPIES[:-1])
    return len(detectors) * per_pass + sum(d in SCALE_DETECTORS for d in detectors) * copies * seed


# -- outputs -------------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def has_errors(results: dict[str, Any], set_name: str) -> bool:
    return results["sets"][set_name]["errors"] > 0


def summary(results: dict[str, Any], set_name: str) -> tuple[list[str], dict[str, list[str]]]:
    """Main-table columns of one set (P, R, F0.5 when it has errors; false alarms/1k; s/1k) and each detector's cells."""
    errors = has_errors(results, set_name)
    columns = (["P", "R", "F0.5"] if errors else []) + ["FA/1k", "s/1k"]
    cells = {}
    for detector in results["detectors"]:
        r = results["results"][set_name].get(detector)
        if r is None:
            cells[detector] = ["–"] * len(columns)
            continue
        a = r["all"]
        cells[detector] = ([_f(a["precision"]), _f(a["recall"]), _f(a["f05"])] if errors else []) + [
            _f(r["false_alarms_per_1k_words"], 1),
            _f(r["s_per_1k_words"]),
        ]
    return columns, cells


def main_table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the main table: one row per detector, the summary columns of each set."""
    header = ["detector"]
    rows = [[d + (" (skipped)" if info["skipped"] else "")] for d, info in results["detectors"].items()]
    for name in results["results"]:
        columns, cells = summary(results, name)
        header += [f"{name} {c}" for c in columns]
        for row, detector in zip(rows, results["detectors"]):
            row += cells[detector]
    return header, rows


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "--:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _set_table(results: dict[str, Any], set_name: str) -> str:
    by_detector = results["results"][set_name]
    if not has_errors(results, set_name):
        rows = [[d, str(r["flags"]), _f(r["false_alarms_per_1k_words"], 1), _f(r["s_per_1k_words"])] for d, r in by_detector.items()]
        return _md_table(["detector", "flags", "FA/1k", "s/1k"], rows)
    header = ["detector", "flags", "P", "R", "F0.5", "F1", "P no-sp", "R no-sp", "F0.5 no-sp", "F1 no-sp", "MCC", "corr. acc.", "traps hit", "FA/1k", "chrF", "BLEU", "TER", "s/1k"]
    traps = results["sets"][set_name]["traps"]
    rows = []
    for detector, r in by_detector.items():
        a, n, t = r["all"], r["no_spacing"], r["text"] or {}
        rows.append(
            [detector, str(r["flags"]), _f(a["precision"]), _f(a["recall"]), _f(a["f05"]), _f(a["f1"])]
            + [_f(n["precision"]), _f(n["recall"]), _f(n["f05"]), _f(n["f1"])]
            + [_f(r["token_mcc"]), _f(r["correction_accuracy"]), f"{r['traps_hit']}/{traps}", _f(r["false_alarms_per_1k_words"], 1)]
            + [_f(t.get("chrf"), 1), _f(t.get("bleu"), 1), _f(t.get("ter"), 1), _f(r["s_per_1k_words"])]
        )
    text = results["input_text"].get(set_name)
    if text:
        rows.append(["input (no edits)"] + ["–"] * 13 + [_f(text["chrf"], 1), _f(text["bleu"], 1), _f(text["ter"], 1), "–"])
    return _md_table(header, rows)


def _kind_table(results: dict[str, Any], set_name: str) -> str:
    by_detector = results["results"][set_name]
    totals: dict[str, int] = {}
    for r in by_detector.values():
        totals.update({kind: total for kind, (_, total) in r["recall_by_kind"].items()})
    kinds = sorted(totals, key=lambda k: -totals[k])
    rows = [[d] + [f"{r['recall_by_kind'][k][0]}/{totals[k]}" for k in kinds] for d, r in by_detector.items()]
    return _md_table(["detector"] + [f"{k} ({totals[k]})" for k in kinds], rows)


def markdown(results: dict[str, Any], image_prefix: str = "", level: int = 2, title: bool = False) -> str:
    """The report: main table, per-set details, recall by kind, cost, scale and the plots."""
    h = "#" * level
    m = results["machine"]
    out = ["# mtqa bench results\n"] if title else []
    out.append(
        f"`{results['command']}` on {m['date']} (commit {m['commit'] or 'unknown'}): {m['cpu']}, {m['cpu_count']} CPUs, "
        f"{m['memory_gb']} GB, {m['platform']}; Python {m['python']}, torch {m['torch']} ({m['torch_threads']} threads). "
        f"The full run took {results['wall_s']:.0f} s. Flags count at score ≥ {results['threshold']}.\n"
    )
    sets = ", ".join(f"`{n}` ({s['documents']} document{'s' * (s['documents'] != 1)}, {s['words']:,} words, {s['errors']} errors, {s['traps']} traps)" for n, s in results["sets"].items())
    out.append(f"Sets: {sets}.\n")
    out.append(f"{h} Main table\n")
    out.append(
        "P, R, F0.5: span detection over all gold errors (ERRANT-style, micro-averaged over a set's documents). "
        "FA/1k: flags that touch no gold error, per 1,000 words (on `clean` every flag is one). "
        "s/1k: seconds per 1,000 words, segmentation included.\n"
    )
    out.append(_md_table(*main_table(results)) + "\n")
    notes = [f"- `{d}`: {info['note']}" for d, info in results["detectors"].items() if info["note"]]
    if notes:
        out.append("\n".join(notes) + "\n")
    out.append(f"{h} Per set\n")
    out.append(
        "no-sp: without the missing-space errors (and without spacing flags), which only the spacing detector targets. "
        "MCC: token-level OK/BAD Matthews correlation. corr. acc.: share of found errors whose first suggestion fixes them. "
        "chrF, BLEU, TER: the text with every flag's first suggestion applied, against the set's clean text "
        "(the `input` row applies nothing).\n"
    )
    for name in results["results"]:
        out.append(f"{h}# {name}\n\n{_set_table(results, name)}\n")
    out.append(f"{h} Recall by kind\n")
    for name in results["results"]:
        if has_errors(results, name):
            out.append(f"{h}# {name}\n\n{_kind_table(results, name)}\n")
    out.append(f"{h} Cost\n")
    out.append(
        "load: constructing the detector (models, glossary); first call: its first check of one short line. "
        "Peak RSS is the process peak (`ru_maxrss`) after each detector, run in this order; it only grows, and models "
        "stay loaded while a later detector needs them. On the sets, `combined` reuses the language model's answers "
        "to the questions `lm-smollm2` already asked, so its s/1k there is what it adds; the time-against-length "
        "table below runs it alone, as `mtqa check` does.\n"
    )
    rows = []
    for d, info in results["detectors"].items():
        if info["skipped"]:
            rows.append([d, ", ".join(info["parts"]), "–", "–", "–"])
            continue
        rss = _f(info["peak_rss_mb"], 0) + (f" (parser process {_f(info['worker_peak_rss_mb'], 0)})" if "worker_peak_rss_mb" in info else "")
        rows.append([d, ", ".join(info["parts"]), _f(info["load_s"]), _f(info["first_call_s"]), rss])
    out.append(_md_table(["detector", "parts", "load s", "first call s", "peak RSS MB"], rows) + "\n")
    if results["scale"]:
        out.append(f"{h} Time against length\n")
        out.append("The seed article repeated; one document; segmentation included. Linear time keeps s/1k flat.\n")
        rows = [[r["detector"], f"{r['words']:,}", _f(r["seconds"], 1), _f(r["s_per_1k_words"])] for r in results["scale"]]
        out.append(_md_table(["detector", "words", "seconds", "s/1k words"], rows) + "\n")
    out.append(f"{h} Precision-recall\n")
    out.append(
        f"Threshold sweep {SWEEP[0]}…{SWEEP[-1]}; the large marker is the threshold {results['threshold']}. "
        "Baselines give no confidence, so they are one point. For `clean`: false alarms per 1,000 words against the threshold.\n"
    )
    out.append("\n".join(f"![{name}]({image_prefix}pr-{name}.png)" for name in results["results"]) + "\n")
    if results["signatures"]:
        out.append("sacrebleu signatures: " + "; ".join(f"{k} `{v}`" for k, v in results["signatures"].items()) + "\n")
    return "\n".join(out)


def plot(results: dict[str, Any], set_name: str, path: Path) -> Path:
    """One PNG per set: precision against recall over the sweep, one line per detector
    (on a set without errors: false alarms per 1,000 words against the threshold)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    errors = has_errors(results, set_name)
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100, layout="constrained")
    for detector, r in results["results"][set_name].items():
        points = r["sweep"]
        xs = [p["recall"] if errors else p["threshold"] for p in points]
        ys = [p["precision"] if errors else p["false_alarms_per_1k_words"] for p in points]
        (line,) = ax.plot(xs, ys, marker=".", label=detector)
        at = next((p for p in points if abs(p["threshold"] - results["threshold"]) < 1e-9), None)
        if at:
            x = at["recall"] if errors else at["threshold"]
            ax.plot([x], [at["precision"] if errors else at["false_alarms_per_1k_words"]], "o", markersize=9, color=line.get_color())
    if errors:
        ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.02), ylim=(0, 1.02))
    else:
        ax.set(xlabel="threshold", ylabel="false alarms per 1,000 words")
    ax.set_title(f"{set_name}: {'precision-recall' if errors else 'false alarms'}, thresholds {SWEEP[0]}–{SWEEP[-1]}")
    ax.grid(alpha=0.3)
    fig.legend(loc="outside right upper", fontsize="small")  # outside: never hides a curve
    fig.savefig(path, metadata={"Software": None})  # no version stamp: reruns differ only when numbers do
    plt.close(fig)
    return path


def update_readme(path: Path, section: str) -> None:
    """Replace the text between the bench markers of `path` with `section`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise MtqaError(f"{path}: no {README_START} … {README_END} markers to put the results between")
    path.write_text(f"{text[: start + len(README_START)]}\n{section}\n{text[end:]}", encoding="utf-8")


def write_outputs(results: dict[str, Any], out: Path) -> list[Path]:
    """results.json, results.md and one pr-<set>.png per set in `out`; also the README section when
    `out` is the default folder. Returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.json", out / "results.md"]
    written[0].write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written[1].write_text(markdown(results, title=True), encoding="utf-8")
    written += [plot(results, name, out / f"pr-{name}.png") for name in results["results"]]
    if out.resolve() == DEFAULT_OUT.resolve() and README.exists():
        update_readme(README, markdown(results, image_prefix="results/", level=3))
        written.append(README)
    return written
