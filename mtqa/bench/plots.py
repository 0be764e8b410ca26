"""Precision-recall plots of a bench run, one PNG per set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mtqa.bench.scoring import SWEEP


def has_errors(results: dict[str, Any], set_name: str) -> bool:
    return results["sets"][set_name]["errors"] > 0


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
