"""dbt starts the ready node whose chain of waiting nodes took longest first, timed from the last run."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx

from orchestration.warehouse.dbt_order import NodeOrder, chain_scores


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    nx.add_path(graph, ["model.a_small", "model.a_small_child", "test.a_small_child"])  # first by name
    nx.add_path(graph, ["model.z_visits", "model.sessions", "model.credits"])
    graph.add_edge("model.a_small_child", "model.credits")
    return graph


def test_the_head_of_the_slowest_chain_starts_first():
    seconds = {"model.a_small": 0.2, "model.a_small_child": 0.2, "test.a_small_child": 0.1,
               "model.z_visits": 2.0, "model.sessions": 1.0, "model.credits": 1.0}
    scores = chain_scores(_graph(), seconds)
    assert scores["model.z_visits"] < scores["model.a_small"]  # 4.0 s below it, 1.4 s below the other
    assert scores["model.z_visits"] == -4.0 and scores["model.a_small"] == -1.4


def test_without_times_every_node_counts_alike():
    scores = chain_scores(_graph(), {})
    assert scores["model.a_small"] == -3.0 and scores["model.z_visits"] == -3.0  # then dbt's order by name
    half = chain_scores(_graph(), {"model.z_visits": 5.0, "model.sessions": 1.0, "model.credits": 1.0})
    assert half["model.a_small"] == -3.0  # unknown nodes count as the median of the known ones


def test_a_dbt_command_keeps_its_node_times_for_the_next(tmp_path):
    """In a process of its own: dbt's queue is changed for the whole process. (A real build keeps
    them too: tests/orchestration/test_e2e.py.)"""
    kept = tmp_path / "node_seconds.json"
    kept.write_text(json.dumps({"model.gone": 1.5}))
    code = (
        "import sys, networkx as nx\n"
        "from pathlib import Path\n"
        "from dbt.graph.queue import GraphQueue\n"
        "from orchestration.warehouse.dbt_order import NodeOrder\n"
        "order = NodeOrder(Path(sys.argv[1]))\n"
        "assert order.install()\n"
        "graph = nx.DiGraph(); nx.add_path(graph, ['model.a', 'model.b'])\n"
        "queue = GraphQueue.__new__(GraphQueue)\n"
        "assert GraphQueue._get_scores(queue, graph) == {'model.a': -3.0, 'model.b': -1.5}\n"
        "order.took['model.a'] = 0.25\n"
        "order.save()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(kept)], check=True, timeout=120)
    assert json.loads(kept.read_text()) == {"model.gone": 1.5, "model.a": 0.25}
    assert NodeOrder(tmp_path / "missing.json").seconds == {}
    (tmp_path / "bad.json").write_text("{not json")
    assert NodeOrder(tmp_path / "bad.json").seconds == {}
