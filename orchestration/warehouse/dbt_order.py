"""The order in which dbt starts the nodes that are ready: the longest chain first.

dbt starts ready nodes by their depth in the graph (roots first), ties by name. In a daily build
the five base models are all roots, so four threads start the small amoCRM, Calltouch and Direct
models first and the visits model - the head of the longest chain (visits, sessions, touches,
credits, fct_calls, the credits mart, its tests, roi_daily) - waits a second for a thread.
`NodeOrder` starts each ready node by the time the chain of nodes that wait on it took last time
(critical path first, the classic list-scheduling rule): the heads of the slow chains start at
once. Which nodes run, and what each one does, is unchanged.

How long each node took is kept in <home>/dbt/node_seconds.json (dbt_state.py), written after every
command that ran nodes; a node not in it counts as the median node (a first build, a new model).

`GraphQueue._get_scores`, `get` and `mark_done` are internal to the pinned dbt-core (1.11):
`NodeOrder.install` replaces them in the dbt process only (warm_dbt.py, which runs every dbt command
of a run), and leaves dbt's own order when they are not there.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from . import dbt_state


class NodeOrder:
    def __init__(self, path: Path | None):
        self.path = path
        self.seconds = _load(path)
        self.took: dict[str, float] = {}  # this command's nodes

    @classmethod
    def from_environment(cls) -> NodeOrder:
        return cls(dbt_state.path_from_environment(dbt_state.NODE_SECONDS))

    def install(self) -> bool:
        """Make this process's dbt start ready nodes longest chain first (and time them); False when
        this dbt has no such hooks (then its own order stands)."""
        from dbt.graph.queue import GraphQueue

        if not all(callable(getattr(GraphQueue, name, None)) for name in ("_get_scores", "get", "mark_done")):
            return False
        order, get, mark_done = self, GraphQueue.get, GraphQueue.mark_done
        started: dict[str, float] = {}

        def timed_get(queue, *args, **kwargs):
            node = get(queue, *args, **kwargs)
            started[node.unique_id] = time.monotonic()
            return node

        def timed_mark_done(queue, node_id):
            if node_id in started:
                order.took[node_id] = time.monotonic() - started.pop(node_id)
            return mark_done(queue, node_id)

        GraphQueue._get_scores = lambda _queue, graph: chain_scores(graph, order.seconds)
        GraphQueue.get = timed_get
        GraphQueue.mark_done = timed_mark_done
        return True

    def save(self) -> None:
        """Keep how long this command's nodes took (the others keep their last time)."""
        if self.path is None or not self.took:
            return
        dbt_state.write(self.path, {**self.seconds, **{node: round(seconds, 3) for node, seconds in self.took.items()}})


def chain_scores(graph, seconds: dict[str, float]) -> dict[str, float]:
    """Scores for dbt's priority queue (lower starts first): minus the time of the longest path
    from each node to the end of the graph, itself included."""
    import networkx as nx

    usual = statistics.median(seconds.values()) if seconds else 1.0
    longest: dict[str, float] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        below = max((longest[child] for child in graph.successors(node)), default=0.0)
        longest[node] = seconds.get(node, usual) + below
    return {node: -length for node, length in longest.items()}


def _load(path: Path | None) -> dict[str, float]:
    """The kept node times; none when the file is missing or unreadable (it only orders nodes)."""
    data = dbt_state.read(path)
    if not isinstance(data, dict):
        return {}
    return {str(node): float(value) for node, value in data.items() if isinstance(value, (int, float))}
