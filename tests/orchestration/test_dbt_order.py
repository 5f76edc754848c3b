"""dbt starts the ready node with the longest chain of nodes waiting on it first."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx

from orchestration.warehouse.dbt_order import _chain_lengths_first


def test_the_head_of_the_longest_chain_starts_first():
    graph = nx.DiGraph()
    nx.add_path(graph, ["model.a_small", "model.a_small_child"])  # first by name, as dbt would start it
    nx.add_path(graph, ["model.z_visits", "model.sessions", "model.touches", "model.credits", "test.credits"])
    graph.add_edge("model.a_small_child", "model.credits")

    scores = _chain_lengths_first(None, graph)

    assert scores["model.z_visits"] < scores["model.a_small"]  # 5 nodes on its chain, 4 on the other's
    assert scores["model.z_visits"] == -5 and scores["test.credits"] == -1
    assert scores["model.a_small_child"] < scores["test.credits"]


def test_the_pinned_dbt_takes_the_order():
    """In a process of its own: dbt's queue is changed for the whole process."""
    code = ("from orchestration.warehouse.dbt_order import critical_path_first, _chain_lengths_first\n"
            "from dbt.graph.queue import GraphQueue\n"
            "assert critical_path_first() and GraphQueue._get_scores is _chain_lengths_first\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
