"""Dependency graphs as pure functions over edge arrays.

Nodes are integers ``0..n-1``; an edge ``(a, b)`` means *b depends on a* (a is an input of b).
The functions here find cycles, assign topological levels (every node's inputs are on lower
levels, so one level can be computed at once) and the set of nodes affected by a change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from trellis.engine.periods import IntArray


@dataclass(frozen=True)
class Graph:
    """Adjacency in both directions, as CSR index arrays."""

    size: int
    succ_ptr: IntArray
    succ: IntArray
    pred_ptr: IntArray
    pred: IntArray

    def successors(self, node: int) -> IntArray:
        """Nodes that depend directly on ``node``."""
        return self.succ[self.succ_ptr[node] : self.succ_ptr[node + 1]]

    def predecessors(self, node: int) -> IntArray:
        """Direct inputs of ``node``."""
        return self.pred[self.pred_ptr[node] : self.pred_ptr[node + 1]]


def _csr(size: int, src: IntArray, dst: IntArray) -> tuple[IntArray, IntArray]:
    order = np.argsort(src, kind="stable")
    ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=size), out=ptr[1:])
    return ptr, dst[order].astype(np.int64)


def build_graph(size: int, edges: Iterable[tuple[int, int]]) -> Graph:
    """A graph of ``size`` nodes from (input, dependent) pairs; duplicate edges collapse."""
    pairs = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
    distinct = np.unique(pairs[:, 0] * size + pairs[:, 1])  # sorted by input, then dependent
    src, dst = np.divmod(distinct, size) if size else (distinct, distinct)
    succ_ptr, succ = _csr(size, src, dst)
    pred_ptr, pred = _csr(size, dst, src)
    return Graph(size, succ_ptr, succ, pred_ptr, pred)


def topological_levels(graph: Graph) -> IntArray:
    """Level of every node (0 for nodes without inputs); -1 for nodes on or after a cycle.

    Kahn's algorithm, one whole level at a time.
    """
    indegree = np.diff(graph.pred_ptr).astype(np.int64)
    level = np.full(graph.size, -1, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        starts, ends = graph.succ_ptr[frontier], graph.succ_ptr[frontier + 1]
        counts = ends - starts
        if counts.sum() == 0:
            break
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        targets = graph.succ[offsets]
        indegree -= np.bincount(targets, minlength=graph.size)
        touched = np.unique(targets)
        frontier = touched[indegree[touched] == 0]
        depth += 1
    return level


def cycles(graph: Graph) -> list[list[int]]:
    """One representative cycle for every strongly connected component that has one."""
    if graph.size == 0:
        return []
    level = topological_levels(graph)
    stuck = np.flatnonzero(level < 0)
    if stuck.size == 0:
        return []
    src = np.repeat(np.arange(graph.size), np.diff(graph.succ_ptr))
    matrix = csr_matrix((np.ones(src.size), (src, graph.succ)), shape=(graph.size, graph.size))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    found: list[list[int]] = []
    seen_components: set[int] = set()
    for node in stuck:
        component = int(labels[node])
        if component in seen_components:
            continue
        members = np.flatnonzero(labels == component)
        self_loop = node in graph.successors(int(node))
        if members.size == 1 and not self_loop:
            continue
        seen_components.add(component)
        found.append(_cycle_through(graph, int(node), set(members.tolist())))
    return found


def _cycle_through(graph: Graph, start: int, component: set[int]) -> list[int]:
    """Walk successors inside a strongly connected component until a node repeats."""
    path: list[int] = [start]
    index = {start: 0}
    node = start
    while True:
        nxt = next(int(s) for s in graph.successors(node) if int(s) in component)
        if nxt in index:
            return path[index[nxt] :]
        index[nxt] = len(path)
        path.append(nxt)
        node = nxt


def affected(graph: Graph, changed: Iterable[int]) -> IntArray:
    """Every node reachable from the changed nodes (themselves included), sorted."""
    seen = np.zeros(graph.size, dtype=bool)
    queue = deque(int(c) for c in changed)
    for node in queue:
        seen[node] = True
    while queue:
        node = queue.popleft()
        for nxt in graph.successors(node):
            if not seen[nxt]:
                seen[nxt] = True
                queue.append(int(nxt))
    return np.flatnonzero(seen)
