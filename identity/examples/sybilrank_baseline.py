#!/usr/bin/env python3
"""Plain SybilRank in Python: the baseline `grassroots audit` is timed against.

Usage: sybilrank_baseline.py EDGES.csv SEEDS.txt > ranking.json

Reads an undirected edge list (`a,b` per line, the format
`audit_scale --write-csv` and `grassroots graph export` write) with pandas,
builds a symmetric scipy sparse matrix, spreads trust from the seeds by
ceil(log2 n) power iterations of the degree-normalised walk (Cao et al.,
"Aiding the Detection of Fake Accounts in Large Scale Social Online
Services", NSDI 2012), ranks members by degree-normalised trust and writes
every member's score, most trusted first, as JSON — the same work as the
audit's `--json` ranking, without its expansion, refinement or cut.
"""

import json
import math
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp


def main() -> None:
    edges_path, seeds_path = sys.argv[1], sys.argv[2]
    df = pd.read_csv(edges_path, header=None, names=["a", "b"], dtype=str,
                     comment="#", skipinitialspace=True)
    df = df[df["a"] != df["b"]]
    codes, names = pd.factorize(pd.concat([df["a"], df["b"]], ignore_index=True))
    m = len(df)
    a, b = codes[:m], codes[m:]
    n = len(names)
    rows = np.concatenate([a, b])
    cols = np.concatenate([b, a])
    adj = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0  # repeated sureties count once
    adj.sum_duplicates()
    adj.data[:] = 1.0
    deg = np.asarray(adj.sum(axis=1)).ravel()
    index = {name: i for i, name in enumerate(names)}
    with open(seeds_path) as f:
        seeds = [index[s.strip()] for s in f if s.strip() in index]
    trust = np.zeros(n)
    trust[seeds] = float(n) / len(seeds)
    inv = np.where(deg > 0, 1.0 / np.maximum(deg, 1.0), 0.0)
    for _ in range(math.ceil(math.log2(n))):
        trust = adj @ (trust * inv)
    score = trust * inv
    order = np.argsort(-score, kind="stable")
    out = {
        "members": int(n),
        "edges": int(adj.nnz // 2),
        "ranking": [{"member": names[i], "score": float(score[i])} for i in order],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
