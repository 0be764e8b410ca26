"""How well the article damage score separates damaged from clean articles.

Run: .venv/bin/python benchmarks/damage_eval.py [--jobs 2] [--records DIR]

Checks every group of `damage_sets.py` with the default detectors (pass the `--records` folder
that `fit_damage.py` used to reuse its records), scores each article with the committed table
(`mtqa/corpus/damage.json`), and writes `benchmarks/results/damage.md` (ROC AUC of damaged against
clean articles, per group and per MT system, whether human translations rank below MT output) and
`benchmarks/results/damage-hist.png`. ROC AUC is the Mann-Whitney U statistic over all
(damaged, clean) pairs, ties counting half (scipy).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
from pathlib import Path

from scipy.stats import mannwhitneyu

sys.path.insert(0, str(Path(__file__).resolve().parent))
from damage_sets import ALL_GROUPS, FIT_GROUPS, ROOT, checked, groups  # noqa: E402
from fit_damage import commit  # noqa: E402

from mtqa import pipeline  # noqa: E402
from mtqa.corpus import damage  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
SEEN = "fit"  # groups the table was fitted on
UNSEEN = "held out"


def auc(damaged: list[float], clean: list[float]) -> float:
    """P(a damaged article scores above a clean one), ties half."""
    return float(mannwhitneyu(damaged, clean).statistic) / (len(damaged) * len(clean))


def cpu() -> str:
    names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
    flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
    wide = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_tile") if f" {f}" in flags]
    return f"{names[0] if names else platform.processor()}, {len(names)} CPUs ({', '.join(wide) or 'no AVX2'})"


def histogram(scores: dict[str, list[float]], damaged: set[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: write files only
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100, layout="constrained")
    names = [g for g in scores if scores[g]]
    ax.hist(
        [scores[g] for g in names], bins=20, range=(0, 1), stacked=True, label=[f"{g} ({'damaged' if g in damaged else 'clean'}, {len(scores[g])})" for g in names]
    )
    ax.set(xlabel="damage", ylabel="articles", xlim=(0, 1), title="Article damage score by group")
    ax.grid(alpha=0.3)
    fig.legend(loc="outside right upper", fontsize="small")
    fig.savefig(path, metadata={"Software": None})  # no version stamp: reruns differ only when numbers do
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local workers checking the articles")
    parser.add_argument("--records", type=Path, help="keep the checked records here and reuse them (delete after changing detectors)")
    parser.add_argument("--all-pieces", action="store_true", help="every ~350-word piece of each ted-zhen talk, not only the first")
    args = parser.parse_args()
    chosen = groups(ALL_GROUPS, args.all_pieces)
    records = checked(chosen, args.records, args.jobs, pipeline.DEFAULT_DETECTORS)
    model = damage.model()
    ok = {g.name: [r for r in records[g.name] if r["error"] is None] for g in chosen}
    scores = {name: [model.score(r["flags"], r["words"]) for r in rs] for name, rs in ok.items()}
    damaged = {g.name for g in chosen if g.damaged}
    lines = [
        "# Article damage score: damaged against clean articles",
        "",
        f"`benchmarks/damage_eval.py` at commit {commit()}, table `mtqa/corpus/damage.json` fitted at commit "
        f"{model_fit()['commit']} on {', '.join(model_fit()['groups'])}. Detectors {pipeline.DEFAULT_DETECTORS}, threshold "
        f"{pipeline.DEFAULT_THRESHOLD}. CPU: {cpu()}.",
        "",
        "Damage is the probability under even prior odds that an article is damaged MT or spun text. "
        f"'{SEEN}': the table was fitted on this group; '{UNSEEN}': never seen by the fit.",
        "",
        "| group | label | fit | articles | words | flags/1k | damage min | median | max |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for group in chosen:
        rs, ss = ok[group.name], scores[group.name]
        words = sum(r["words"] for r in rs)
        flags = sum(len(r["flags"]) for r in rs)
        lines.append(
            f"| {group.name} | {'damaged' if group.damaged else 'clean'} | {SEEN if group.name in FIT_GROUPS else UNSEEN} | {len(rs)} | "
            f"{words:,} | {1000 * flags / max(words, 1):.1f} | {min(ss):.3f} | {statistics.median(ss):.3f} | {max(ss):.3f} |"
        )
    clean_groups = [g for g in ("clean", "clean-seed-2", "ted-ref") if g in scores]
    clean = [s for g in clean_groups for s in scores[g]]
    comparisons = [
        ("seed article + synthetic-dev + synthetic-heldout", ["seed-article", "synthetic-dev", "synthetic-heldout"]),
        ("synthetic-heldout only", ["synthetic-heldout"]),
        ("seed article only", ["seed-article"]),
    ]
    lines += ["", f"## Damaged against clean ({' + '.join(clean_groups)}: {len(clean)} articles)", "",
              "| damaged | articles | ROC AUC | lowest damaged | highest clean | every damaged above every clean |", "|---|--:|--:|--:|--:|---|"]
    for label, names in comparisons:
        bad = [s for g in names for s in scores.get(g, [])]
        lines.append(f"| {label} | {len(bad)} | {auc(bad, clean):.3f} | {min(bad):.3f} | {max(clean):.3f} | {'yes' if min(bad) > max(clean) else 'no'} |")
    if "ted-mt" in scores and "ted-ref" in scores:
        lines += human_against_mt(ok, scores)
    histogram(scores, damaged, RESULTS / "damage-hist.png")
    lines += ["", "![damage by group](damage-hist.png)", ""]
    (RESULTS / "damage.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def model_fit() -> dict:
    return json.loads(damage.TABLE.read_text(encoding="utf-8"))["fit"]


def human_against_mt(ok: dict[str, list[dict]], scores: dict[str, list[float]]) -> list[str]:
    """Human translations (ref) against each MT system on the same pieces of the same talks."""
    ref = {r["id"].split("/", 2)[2]: s for r, s in zip(ok["ted-ref"], scores["ted-ref"])}
    systems: dict[str, list[tuple[str, float]]] = {}
    for record, score in zip(ok["ted-mt"], scores["ted-mt"]):
        _, system, piece = record["id"].split("/", 2)
        systems.setdefault(system, []).append((piece, score))
    out = ["", f"## Human translations against MT (ted-zhen, {len(ref)} pieces of ~350 words, the first of each talk)", "",
           "Paired: the same piece of the same talk, translated by a human and by the MT system.", "",
           "| MT system | pieces | mean damage MT | mean damage human | ROC AUC MT vs human | pieces where MT > human |", "|---|--:|--:|--:|--:|--:|"]
    for system, pairs in [*systems.items(), ("all MT", [p for ps in systems.values() for p in ps])]:
        mt = [s for _, s in pairs]
        humans = [ref[piece] for piece, _ in pairs if piece in ref]
        above = sum(s > ref[piece] for piece, s in pairs if piece in ref)
        out.append(
            f"| {system} | {len(pairs)} | {statistics.mean(mt):.3f} | {statistics.mean(humans):.3f} | {auc(mt, list(ref.values())):.3f} | {above}/{len(pairs)} |"
        )
    return out


if __name__ == "__main__":
    main()
