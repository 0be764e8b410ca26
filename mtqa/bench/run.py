"""The `mtqa bench` runner: every detector on every benchmark set, timed (scored in `scoring`, reported in `report`).

A bench detector is a list of parts whose flags are merged by `CombinedDetector`.
Parts are cached per document; "combined" is one part, the detector `mtqa check`
builds, because its glossary hands the LM the swaps it established and the
usages it cleared, which merging separate runs would miss. Detectors run once with every flag kept; the threshold and the
sweep only filter flags by score afterwards.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mtqa import pipeline
from mtqa.bench import mqm
from mtqa.bench.scoring import SEPARATOR, SWEEP, pool, score
from mtqa.bench.sets import Sample, load_set
from mtqa.detect.base import Detector
from mtqa.detect.combined import CombinedDetector
from mtqa.edits import Edit
from mtqa.errors import MtqaError
from mtqa.lm import registry
from mtqa.lm.base import LanguageModel
from mtqa.lm.memo import MemoLM
from mtqa.text.document import Document
from mtqa.text.metrics import text_metrics

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"
SETS_DIR = BENCH_DIR / "sets"
DEFAULT_OUT = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"

SET_NAMES = ("seed-article", "clean", "synthetic-dev", "synthetic-heldout")
SEED_SET = "seed-article"
# Rated real MT output shared beside the repository (never copied into it): benched when present.
SHARED_MQM = Path(os.environ.get("MTQA_SHARED", ROOT.parent / "shared")) / "mqm"
# Cheapest first: ru_maxrss only grows, so the process peak after each detector is mostly its own.
# The perplexity baselines share the LM detector's analysis, so they run right after it.
BASELINE_RATES = {"surprisal@2": (2.0, 0.0), "surprisal-unigram@2": (2.0, 0.5), "surprisal@5.7": (5.7, 0.0), "surprisal-unigram@5.7": (5.7, 0.5)}
DETECTORS = ("glossary", "spellcheck", "link-grammar", "lm-trigram", "lm-smollm2", *BASELINE_RATES, "combined")
SCALE_COPIES = (1, 4, 16)  # copies of the seed article (~1k words each); 16 only with --scale
SCALE_DETECTORS = ("lm-trigram", "combined")
WARM_UP = "The abroad Minister met the safety Council in Aszchabad.One day later she said so."


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
        **{name: [f"surprisal:{rate}:{weight}"] for name, (rate, weight) in BASELINE_RATES.items()},
    }[detector]


def build_part(key: str, models: Callable[[str], LanguageModel] = pipeline.language_model) -> Detector:
    from mtqa.bench import baselines

    if key == "spellcheck":
        return baselines.SpellcheckDetector()
    if key == "link-grammar":
        return baselines.LinkGrammarDetector()
    name, _, lm = key.partition(":")
    if name == "surprisal":
        rate, weight = lm.split(":")
        return baselines.SurprisalBaseline(models(registry.default_model()), float(rate), float(weight))
    if name == "combined":
        return pipeline.build_detector(list(pipeline.DETECTORS), lm or None, models=models)
    return pipeline.build_detector([name], lm or None, models=models).detectors[0]


# -- sets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchSet:
    name: str
    path: Path
    samples: list[Sample]
    rated: bool = False  # rater spans (MQM), not gold corrections: scored for detection only


def default_sets() -> list[str]:
    """The project's sets, and the rated real MT output in the shared folder when it is there."""
    shared = sorted(str(p) for p in SHARED_MQM.glob("*.jsonl")) if SHARED_MQM.is_dir() else []
    return [*SET_NAMES, *shared]


def resolve_sets(names: list[str]) -> list[BenchSet]:
    """Sets by name (in benchmarks/sets/) or by path to a JSONL file (gold edits or MQM rater spans)."""
    out = []
    for name in names:
        path = Path(name)
        if path.suffix == ".jsonl" and path.is_file():
            rated = mqm.is_mqm(path)
            out.append(BenchSet(path.stem, path, mqm.load_mqm(path) if rated else load_set(path), rated))
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

    def __init__(self, advance: Advance | None = None, precision: str = "auto") -> None:
        self.models = partial(pipeline.language_model, precision=precision)
        self.parts: dict[str, Part] = {}
        self.flags: dict[tuple[str, str, str], tuple[list[Edit], float]] = {}  # (part, set, doc id) -> flags, seconds
        self.advance = advance or (lambda _what, _words: None)
        self.memos: dict[str, MemoLM] = {}

    def shared_model(self, name: str) -> LanguageModel:
        from mtqa.lm.transformer import TransformerLM

        model = self.models(name)
        if not isinstance(model, TransformerLM):  # cheap models gain nothing from remembering
            return model
        return self.memos.setdefault(name, MemoLM(model))

    def part(self, key: str, timed: bool = False) -> Part:
        slot = f"{key} (timed)" if timed else key
        if slot not in self.parts:
            started = time.perf_counter()
            detector = build_part(key, self.models if timed else self.shared_model)
            built = time.perf_counter()
            detector.detect(Document(WARM_UP))
            self.parts[slot] = Part(detector, built - started, time.perf_counter() - built)
        return self.parts[slot]

    def release(self, keep: set[str]) -> None:
        """Drop the parts no later detector needs (ending the link-grammar process)."""
        if not any(k.startswith(("lm:", "combined:", "surprisal:")) for k in keep):
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
    precision: str = "auto",
) -> dict[str, Any]:
    """Run the bench and return every number; `advance` hears (what is running, words done)."""
    from mtqa.lm.hardware import resolve_precision

    started = time.perf_counter()
    sets = resolve_sets(set_names)
    runner = Runner(advance, precision)
    results: dict[str, Any] = {
        "version": 1,
        "command": command,
        "machine": {**machine_info(), "precision": resolve_precision(precision, "cpu")},
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
            "errors": 0 if s.rated else len(pooled.gold),
            "rater_spans": len(pooled.gold) if s.rated else 0,
            "spacing_errors": sum(g.kind == "spacing" for g in pooled.gold),
            "traps": len(pooled.traps),
        }
        with_clean = [x for x in s.samples if x.clean is not None]
        if with_clean:  # the uncorrected input against clean: what a detector's corrections start from
            results["input_text"][s.name] = _text_only(text_metrics([x.text for x in with_clean], [x.clean for x in with_clean]), results)

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
            if s.rated:
                result = mqm.score_detection(s.samples, flags_by_doc, threshold)
                if detector == "combined":
                    result["fix"] = _fix_rated(runner, s.samples, docs[s.name], flags_by_doc, threshold)
            else:
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


def _fix_rated(runner: Runner, samples: list[Sample], docs: list[Document], flags_by_doc: list[list[Edit]], threshold: float) -> dict[str, Any]:
    """What `mtqa fix` would apply to rated text: the combined flags, ranked and accepted as `fix` does."""
    from mtqa.correct.fixing import correct
    from mtqa.correct.scoring import Ranker

    ranker = Ranker(lm=runner.shared_model(registry.default_model()), glossary=pipeline.glossary_for())
    applied = [correct(doc, [f for f in flags if f.score >= threshold], ranker).applied for doc, flags in zip(docs, flags_by_doc)]
    return mqm.score_fix(samples, docs, applied)


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
