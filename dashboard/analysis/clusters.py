"""Clusters of linked incidents, and counting each cluster once.

:func:`cluster_ids` turns links (:func:`dashboard.analysis.dedupe.find_links`) and an
analyst's decisions into one cluster id per row; :func:`count_once` keeps one row per
cluster of those selected. Decisions name links by :func:`link_keys`, so they survive
a reload. Pure data layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

#: The score from which a link joins a cluster (``find_links``'s default threshold).
THRESHOLD = 0.7

LinkKey = tuple[str, str, str, str]


def link_keys(links: pd.DataFrame) -> list[LinkKey]:
    """The stable key of each link, (dataset_a, id_a, dataset_b, id_b): it names the
    same link after a reload, whatever the row positions."""
    return list(zip(links["dataset_a"].astype(str), links["id_a"].astype(str),
                    links["dataset_b"].astype(str), links["id_b"].astype(str), strict=True))


def _key_mask(links: pd.DataFrame, keys: Iterable[Sequence[str]]) -> np.ndarray:
    wanted = set()
    for k in keys:
        da, ia, db, ib = (str(v) for v in k)
        wanted.add((da, ia, db, ib))
        wanted.add((db, ib, da, ia))
    if not wanted or links.empty:
        return np.zeros(len(links), dtype=bool)
    return np.array([k in wanted for k in link_keys(links)], dtype=bool)


def cluster_ids(n: int, links: pd.DataFrame, *, confirmed: Iterable[Sequence[str]] = (),
                rejected: Iterable[Sequence[str]] = (), threshold: float | None = None
                ) -> np.ndarray:
    """Cluster id per row (int64, length ``n``): the smallest row position in its cluster,
    so a row alone is its own cluster.

    Union-find over ``links`` scoring at least ``threshold`` (default: Tuning's), best
    first, plus the ``confirmed`` link keys and minus the ``rejected`` ones (keys as in
    :func:`link_keys`; either order). A cluster holds at most one row per dataset: a link
    that would join two rows of one dataset is skipped, so of two links competing for a
    row the higher-scoring one wins (ties: the lower row positions). Confirmed links are
    applied first and always; the two rows of a rejected link never share a cluster,
    even through other links.
    """
    threshold = THRESHOLD if threshold is None else threshold
    rows = np.arange(n, dtype=np.int64)
    if links.empty:
        return rows
    conf = _key_mask(links, confirmed)
    rej = _key_mask(links, rejected) & ~conf
    use = (conf | (links["score"].to_numpy() >= threshold)) & ~rej
    a, b = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    ds = pd.factorize(pd.concat([links["dataset_a"], links["dataset_b"]]).astype(str))[0]
    row_ds = np.full(n, -1, dtype=np.int64)
    row_ds[a], row_ds[b] = ds[:len(a)], ds[len(a):]
    # Components where no dataset repeats need no choice: every link is kept. Only the
    # others (and any with a confirmed link) go through the sequential rule.
    label = _components(n, a[use], b[use])
    comp_ds = label * (row_ds.max() + 1) + row_ds
    touched = np.unique(np.r_[a[use], b[use]])
    _, per = np.unique(comp_ds[touched], return_counts=True)
    crowded = np.unique(label[touched][np.isin(comp_ds[touched],
                                               np.unique(comp_ds[touched])[per > 1])])
    special = np.r_[crowded, label[a[conf]], label[a[rej]]]
    hard = use & np.isin(label[a], special)
    keep = use & ~hard
    banned = {(int(x), int(y)) for x, y in zip(a[rej], b[rej], strict=True)}
    keep[_greedy(a, b, row_ds, conf, links["score"].to_numpy(), np.nonzero(hard)[0],
                 banned)] = True
    label = _components(n, a[keep], b[keep])
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, label, rows)
    return smallest[label]


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _greedy(a, b, row_ds, conf, score, todo: np.ndarray, banned: set[tuple[int, int]]
            ) -> np.ndarray:
    """The links of ``todo`` kept by union-find, confirmed first, then best score first,
    skipping a link that would put two rows of one dataset in one cluster, or the two
    rows of a rejected link (``banned``)."""
    order = todo[np.lexsort((b[todo], a[todo], -score[todo], ~conf[todo]))]
    parent: dict[int, int] = {}
    members: dict[int, int] = {}  # root -> bit mask of its datasets
    rows: dict[int, set[int]] = {}  # root -> its rows (kept only when links are rejected)

    def find(i: int) -> int:
        root = i
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(i, i) != root:
            parent[i], i = root, parent[i]
        return root

    kept = []
    for k in order.tolist():
        x, y = int(a[k]), int(b[k])
        rx, ry = find(x), find(y)
        if rx == ry:
            kept.append(k)
            continue
        mx = members.get(rx, 1 << int(row_ds[x]))
        my = members.get(ry, 1 << int(row_ds[y]))
        if mx & my and not conf[k]:
            continue
        if banned:
            in_x, in_y = rows.get(rx, {x}), rows.get(ry, {y})
            if any((min(u, v), max(u, v)) in banned for u in in_x for v in in_y):
                continue
            rows[rx] = in_x | in_y
        parent[ry] = rx
        members[rx] = mx | my
        kept.append(k)
    return np.array(kept, dtype=np.int64)


def count_once(selected: np.ndarray, clusters: np.ndarray,
               preference: np.ndarray | None = None) -> np.ndarray:
    """Of the ``selected`` rows keep one per cluster: the lowest ``preference`` (e.g.
    ``precision_km``: the best-located report), ties to the first row. Works after any
    filter: a cluster whose kept row is filtered out is counted through another."""
    selected = np.asarray(selected, dtype=bool)
    idx = np.nonzero(selected)[0]
    out = np.zeros(len(selected), dtype=bool)
    if not len(idx):
        return out
    pref = (np.zeros(len(idx)) if preference is None
            else np.nan_to_num(np.asarray(preference, dtype="float64")[idx], nan=np.inf))
    cl = np.asarray(clusters)[idx]
    order = np.lexsort((idx, pref, cl))
    first = np.r_[True, cl[order][1:] != cl[order][:-1]]
    out[idx[order[first]]] = True
    return out
