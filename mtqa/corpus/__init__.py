"""Corpus mode: check many articles at once, locally or on a Ray cluster, and rank them by damage.

    sources      INPUT (JSONL, Parquet, a folder of .txt files) as articles, lazily, in order
    records      one JSON record per article (flags in the check JSON schema, damage, error)
    damage       the article damage score, a logistic regression fitted by benchmarks/fit_damage.py
    engines      in this process, a local process pool; input order restored (`ordered_records`)
    ray_engine   Ray actors, one model each, on a private local instance or a cluster
    outfile      OUT.partial written line by line, resumable, renamed to OUT when complete
    run          a whole run: `run_corpus`
    summary      what `mtqa corpus-summary` reports: most damaged articles, frequent patterns, errors
"""
