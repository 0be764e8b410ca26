"""Plots of a bench run: precision against recall (or flags per 1,000 words) and a reliability diagram, per set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mtqa.bench.scoring import SWEEP


def has_errors(results: dict[str, Any], set_name: str) -> bool:
    return results["sets"][set_name]["errors"] > 0


def is_rated(results: dict[str, Any], set_name: str) -> bool:
    """A set of rated MT output (rater spans, no corrections): scored for detection only."""
    return results["sets"][set_name].get("rater_spans", 0) > 0


def _axes(results: dict[str, Any], set_name: str) -> tuple[str, str, str, str]:
    """(x key, y key, x label, y label) of a set's sweep plot."""
    if is_rated(results, set_name):
        return "flags_per_1k_words", "precision", "flags per 1,000 words", "precision (flag touches a rater span)"
    if has_errors(results, set_name):
        return "recall", "precision", "recall", "precision"
    return "threshold", "false_alarms_per_1k_words", "threshold", "false alarms per 1,000 words"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    return plt


def _save(fig, ax, path: Path) -> Path:
    ax.grid(alpha=0.3)
    fig.legend(loc="outside right upper", fontsize="small")  # outside: never hides a curve
    fig.savefig(path, metadata={"Software": None})  # no version stamp: reruns differ only when numbers do
    return path


def plot(results: dict[str, Any], set_name: str, path: Path) -> Path:
    """One PNG per set: precision against recall over the sweep, one line per detector (rated MT:
    precision against flags per 1,000 words, with chance as a dashed line; a set without errors:
    false alarms per 1,000 words against the threshold)."""
    plt = _pyplot()
    x_key, y_key, x_label, y_label = _axes(results, set_name)
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100, layout="constrained")
    for detector, r in results["results"][set_name].items():
        points = r["sweep"]
        (line,) = ax.plot([p[x_key] for p in points], [p[y_key] for p in points], marker=".", label=detector)
        at = next((p for p in points if abs(p["threshold"] - results["threshold"]) < 1e-9), None)
        if at:
            ax.plot([at[x_key]], [at[y_key]], "o", markersize=9, color=line.get_color())
    if is_rated(results, set_name):
        chance = next(iter(results["results"][set_name].values()))["chance"]
        ax.axhline(chance, linestyle="--", color="grey", label=f"chance ({chance:.2f})")
        ax.set(xlabel=x_label, ylabel=y_label, ylim=(0, 1.02))
    elif has_errors(results, set_name):
        ax.set(xlabel=x_label, ylabel=y_label, xlim=(0, 1.02), ylim=(0, 1.02))
    else:
        ax.set(xlabel=x_label, ylabel=y_label)
    ax.set_title(f"{set_name}: thresholds {SWEEP[0]}–{SWEEP[-1]}")
    path = _save(fig, ax, path)
    plt.close(fig)
    return path


def plot_reliability(results: dict[str, Any], set_name: str, path: Path) -> Path:
    """A reliability diagram: per score bin, the share of flags that were right against their mean
    score, one line per detector that gives scores (the diagonal is perfect calibration)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100, layout="constrained")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="calibrated")
    for detector, r in results["results"][set_name].items():
        bins = r["reliability"]["bins"]
        if len({b["mean_score"] for b in bins}) > 1:  # baselines give one score: nothing to calibrate
            ax.plot([b["mean_score"] for b in bins], [b["right"] for b in bins], marker="o", label=f"{detector} (ECE {r['reliability']['ece']:.2f})")
    ax.set(xlabel="flag score (bin mean)", ylabel="share of flags that were right", xlim=(0, 1.02), ylim=(0, 1.02))
    ax.set_title(f"{set_name}: reliability")
    path = _save(fig, ax, path)
    plt.close(fig)
    return path
