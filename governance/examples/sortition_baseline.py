#!/usr/bin/env python3
"""Baseline for `sortition_bench`: the `sortition-algorithms` package's maximin.

Usage: sortition_baseline.py DIR [--max-pool N]

DIR holds one folder per instance, written by `sortition_bench`, each with
`features.csv` (feature,value,min,max), `people.csv` (id and one column per
feature) and `meta.json` ({"panel_size": k}). For every instance with a pool
of at most N people (default: all) this runs the package's maximin with its
default open-source solver backend (HiGHS via highspy) and prints one JSON
line: name, pool, minimum selection probability, wall-clock seconds
and CPU seconds of this process (HiGHS runs in it).
"""

import csv
import json
import sys
import time
from pathlib import Path

from sortition_algorithms import Settings, read_in_features, read_in_people
from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
from sortition_algorithms.settings import DEFAULT_BACKEND


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames), rows


def run(folder):
    k = json.loads((folder / "meta.json").read_text())["panel_size"]
    f_head, f_body = read_csv(folder / "features.csv")
    features, _, _ = read_in_features(f_head, f_body, k)
    p_head, p_body = read_csv(folder / "people.csv")
    settings = Settings(id_column="id", columns_to_keep=[])
    people, _ = read_in_people(p_head, p_body, features, settings)
    start, cpu_start = time.perf_counter(), time.process_time()
    committees, probabilities, _ = find_distribution_maximin(features, people, k, [], DEFAULT_BACKEND)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    pi = {pid: 0.0 for pid in people}
    for committee, p in zip(committees, probabilities):
        for pid in committee:
            pi[pid] += p
    return {
        "name": folder.name,
        "pool": len(pi),
        "backend": DEFAULT_BACKEND,
        "min_probability": min(pi.values()),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    max_pool = None
    if "--max-pool" in args:
        i = args.index("--max-pool")
        max_pool = int(args[i + 1])
        del args[i : i + 2]
    root = Path(args[0])
    for folder in sorted(p for p in root.iterdir() if (p / "meta.json").exists()):
        pool = json.loads((folder / "meta.json").read_text())["pool"]
        if max_pool is not None and pool > max_pool:
            print(json.dumps({"name": folder.name, "pool": pool, "skipped": True}), flush=True)
            continue
        print(json.dumps(run(folder)), flush=True)


if __name__ == "__main__":
    main()
