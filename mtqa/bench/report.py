"""The bench report: results.json, results.md with its tables, the plots, and the README section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mtqa.bench.plots import has_errors, is_rated, plot, plot_reliability
from mtqa.bench.run import DEFAULT_OUT, README
from mtqa.bench.scoring import SWEEP
from mtqa.errors import MtqaError

README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def summary(results: dict[str, Any], set_name: str) -> tuple[list[str], dict[str, list[str]]]:
    """Main-table columns of one set (P, R, F0.5 when it has errors; false alarms/1k; s/1k; for rated
    MT: flags/1k, precision against rater spans and lift) and each detector's cells."""
    errors = has_errors(results, set_name)
    rated = is_rated(results, set_name)
    columns = ["flags/1k", "P(span)", "lift", "s/1k"] if rated else (["P", "R", "F0.5"] if errors else []) + ["FA/1k", "s/1k"]
    cells = {}
    for detector in results["detectors"]:
        r = results["results"][set_name].get(detector)
        if r is None:
            cells[detector] = ["–"] * len(columns)
            continue
        if rated:
            cells[detector] = [_f(r["flags_per_1k_words"], 1), _f(r["precision"]), _f(r["lift"]), _f(r["s_per_1k_words"])]
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


def _ece(r: dict[str, Any]) -> str:
    """Expected calibration error, for detectors whose flags carry more than one score."""
    bins = r["reliability"]["bins"]
    return _f(r["reliability"]["ece"]) if len({b["mean_score"] for b in bins}) > 1 else "–"


def _rated_table(results: dict[str, Any], set_name: str) -> str:
    """Detection against rater spans, per detector; then per system, and what `fix` did."""
    by_detector = results["results"][set_name]
    header = ["detector", "flags", "flags/1k", "P(span)", "chance", "lift", "ECE", "s/1k"]
    rows = [
        [d, str(r["flags"]), _f(r["flags_per_1k_words"], 1), _f(r["precision"]), _f(r["chance"]), _f(r["lift"]), _ece(r), _f(r["s_per_1k_words"])]
        for d, r in by_detector.items()
    ]
    out = [_md_table(header, rows)]
    groups = list(next(iter(by_detector.values()))["by_group"])
    header = ["detector"] + [f"{g} {c}" for g in groups for c in ("flags/1k", "lift")]
    rows = [[d] + [_f(r["by_group"][g][k], 1 if k == "flags_per_1k_words" else 2) for g in groups for k in ("flags_per_1k_words", "lift")] for d, r in by_detector.items()]
    out.append("Per system (flags per 1,000 words and lift against that system's own chance):\n\n" + _md_table(header, rows))
    combined = by_detector.get("combined", {})
    if combined:
        recall = ", ".join(f"{cat} {hit}/{total}" for cat, (hit, total) in combined["recall_by_category"].items())
        out.append(f"`combined` touches these rater spans, by category: {recall}.")
    fix = combined.get("fix")
    if fix:
        inside = "–" if fix["inside_rater_spans"] is None else f"{fix['inside_rater_spans']:.0%}"
        names = "; ".join(f"{n['text']} → {n['replacement']}" for n in fix["names_changed_by_lm"]) or "none"
        out.append(
            f"`fix` (the combined flags, ranked and accepted as `mtqa fix` does) applies {fix['edits']} edits "
            f"({fix['edits_per_1k_words']:.1f} per 1,000 words), {inside} of them inside rater spans; "
            f"names changed on the LM's word alone: {names}."
        )
    return "\n\n".join(out)


def _set_table(results: dict[str, Any], set_name: str) -> str:
    by_detector = results["results"][set_name]
    if is_rated(results, set_name):
        return _rated_table(results, set_name)
    if not has_errors(results, set_name):
        rows = [[d, str(r["flags"]), _f(r["false_alarms_per_1k_words"], 1), _ece(r), _f(r["s_per_1k_words"])] for d, r in by_detector.items()]
        return _md_table(["detector", "flags", "FA/1k", "ECE", "s/1k"], rows)
    header = ["detector", "flags", "P", "R", "F0.5", "F1", "P no-sp", "R no-sp", "F0.5 no-sp", "F1 no-sp", "MCC", "corr. acc.", "traps hit", "FA/1k", "ECE", "chrF", "BLEU", "TER", "s/1k"]
    traps = results["sets"][set_name]["traps"]
    rows = []
    for detector, r in by_detector.items():
        a, n, t = r["all"], r["no_spacing"], r["text"] or {}
        rows.append(
            [detector, str(r["flags"]), _f(a["precision"]), _f(a["recall"]), _f(a["f05"]), _f(a["f1"])]
            + [_f(n["precision"]), _f(n["recall"]), _f(n["f05"]), _f(n["f1"])]
            + [_f(r["token_mcc"]), _f(r["correction_accuracy"]), f"{r['traps_hit']}/{traps}", _f(r["false_alarms_per_1k_words"], 1), _ece(r)]
            + [_f(t.get("chrf"), 1), _f(t.get("bleu"), 1), _f(t.get("ter"), 1), _f(r["s_per_1k_words"])]
        )
    text = results["input_text"].get(set_name)
    if text:
        rows.append(["input (no edits)"] + ["–"] * 14 + [_f(text["chrf"], 1), _f(text["bleu"], 1), _f(text["ter"], 1), "–"])
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
        f"{m['memory_gb']} GB, {m['platform']}; Python {m['python']}, torch {m['torch']} ({m['torch_threads']} threads, {m.get('precision', 'fp32')}). "
        f"The full run took {results['wall_s']:.0f} s. Flags count at score ≥ {results['threshold']}.\n"
    )
    sets = ", ".join(
        f"`{n}` ({s['documents']} document{'s' * (s['documents'] != 1)}, {s['words']:,} words, "
        + (f"{s['rater_spans']:,} rater spans)" if s.get("rater_spans") else f"{s['errors']} errors, {s['traps']} traps)")
        for n, s in results["sets"].items()
    )
    out.append(f"Sets: {sets}.\n")
    out.append(f"{h} Main table\n")
    out.append(
        "P, R, F0.5: span detection over all gold errors (ERRANT-style, micro-averaged over a set's documents). "
        "FA/1k: flags that touch no gold error, per 1,000 words (on `clean` every flag is one). "
        "s/1k: seconds per 1,000 words, segmentation included. On rated MT output (MQM): flags per 1,000 words, "
        "P(span): share of flags that touch a span some rater marked, lift: P(span) over the share of words raters "
        "marked (what flags at random would score).\n"
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
        "(the `input` row applies nothing). ECE: expected calibration error of the flag scores, over all flags "
        "any score (see the reliability diagrams).\n"
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
    out.append(f"{h} Reliability\n")
    out.append(
        "Does a flag's score mean the chance that it is right (it touches a gold error, or on rated MT a rater span)? "
        "Flags in ten score bins; the diagonal is perfect calibration; ECE in the legend.\n"
    )
    out.append("\n".join(f"![{name} reliability]({image_prefix}reliability-{name}.png)" for name in results["results"]) + "\n")
    if results["signatures"]:
        out.append("sacrebleu signatures: " + "; ".join(f"{k} `{v}`" for k, v in results["signatures"].items()) + "\n")
    return "\n".join(out)


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
    written += [plot_reliability(results, name, out / f"reliability-{name}.png") for name in results["results"]]
    if out.resolve() == DEFAULT_OUT.resolve() and README.exists():
        update_readme(README, markdown(results, image_prefix="results/", level=3))
        written.append(README)
    return written
