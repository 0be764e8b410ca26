"""Fit the article damage score (`mtqa/corpus/damage.py`) and write its table, `mtqa/corpus/damage.json`.

Run: .venv/bin/python benchmarks/fit_damage.py [--jobs 2] [--records DIR]

Checks the dev groups of `damage_sets.py` with the default detectors (damaged: the seed article and
synthetic-dev; clean: the clean set, the clean seed 2 as published and the human translations of
ted-zhen, in pieces) and fits an L2-regularised logistic regression on `mtqa.corpus.damage.features`.
Damaged and clean articles weigh the same in the fit (there are far fewer damaged ones), so a score
is a probability under even prior odds. The penalty is chosen by leave-one-out log loss.
synthetic-heldout and the MT output of ted-zhen are never used here: `damage_eval.py` measures on them.

Rerun it whenever the detectors' flags or scores change, and commit the new table with the change.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from damage_sets import FIT_GROUPS, ROOT, checked, groups  # noqa: E402

from mtqa import pipeline  # noqa: E402
from mtqa.corpus.damage import FEATURES, TABLE, DamageModel, features  # noqa: E402
from mtqa.lm import registry  # noqa: E402

PENALTIES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # L2 weight on the standardised coefficients


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Each class weighs half of the total, however many articles it has."""
    return np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))


def fit(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, float]:
    """(coefficients, intercept) minimising the weighted log loss plus penalty/2 · |coef|² (intercept free)."""
    weights = balanced_weights(y)
    signs = 2 * y - 1

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, intercept = theta[:-1], theta[-1]
        margin = signs * (x @ coef + intercept)
        value = np.sum(weights * np.logaddexp(0, -margin)) + penalty / 2 * coef @ coef
        slope = -weights * signs / (1 + np.exp(margin))
        return value, np.append(x.T @ slope + penalty * coef, slope.sum())

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def leave_one_out_loss(x: np.ndarray, y: np.ndarray, penalty: float) -> float:
    """Weighted log loss of each article's probability from a fit without it."""
    total = 0.0
    weights = balanced_weights(y)
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        coef, intercept = fit(x[keep], y[keep], penalty)
        logit = x[i] @ coef + intercept
        total += weights[i] * np.logaddexp(0, -logit if y[i] else logit)
    return total / weights.sum()


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local workers checking the articles")
    parser.add_argument("--records", type=Path, help="keep the checked records here and reuse them (delete after changing detectors)")
    args = parser.parse_args()
    chosen = groups(FIT_GROUPS)
    records = checked(chosen, args.records, args.jobs, pipeline.DEFAULT_DETECTORS)
    rows, labels, names = [], [], []
    for group in chosen:
        for record in records[group.name]:
            if record["error"] is None:
                values = features(record["flags"], record["words"])
                rows.append([values[n] for n in FEATURES])
                labels.append(int(group.damaged))
                names.append((group.name, record["id"]))
    raw, y = np.array(rows), np.array(labels)
    mean, scale = raw.mean(axis=0), raw.std(axis=0)
    scale[scale == 0] = 1.0
    x = (raw - mean) / scale
    losses = {p: leave_one_out_loss(x, y, p) for p in PENALTIES}
    penalty = min(PENALTIES, key=lambda p: (round(losses[p], 6), -p))  # ties: the stronger penalty
    coef, intercept = fit(x, y, penalty)
    model = DamageModel(FEATURES, tuple(mean.round(6)), tuple(scale.round(6)), tuple(coef.round(6)), round(intercept, 6))
    counts = {g.name: {"label": "damaged" if g.damaged else "clean", "articles": len(records[g.name])} for g in chosen}
    table = model.to_json(
        script="benchmarks/fit_damage.py",
        commit=commit(),
        detectors=pipeline.DEFAULT_DETECTORS,
        lm=registry.default_model(),
        threshold=pipeline.DEFAULT_THRESHOLD,
        groups=counts,
        prior="balanced: damaged and clean articles weigh the same",
        penalty=penalty,
        leave_one_out_log_loss={str(p): round(v, 4) for p, v in losses.items()},
    )
    TABLE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)}: penalty {penalty}, leave-one-out log loss {losses[penalty]:.4f}")
    for name, value in zip(FEATURES, coef):
        print(f"  {name:>14} {value:+.3f}")
    scores = [model.probability(dict(zip(FEATURES, row))) for row in raw]
    for score, (group, article), label in sorted(zip(scores, names, y), key=lambda t: -t[0]):
        print(f"  {score:.4f}  {'damaged' if label else 'clean  '}  {group}: {article}")


if __name__ == "__main__":
    main()
