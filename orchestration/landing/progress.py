"""A tiny hook so the CLI can show landing progress of an in-process Dagster run.

Landing assets report each landed partition here; `call-attribution run` sets a
listener that advances its progress bar. Under `dagster dev` nobody listens.
"""

from __future__ import annotations

from collections.abc import Callable

from .writer import LandedPartition

Listener = Callable[[LandedPartition], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report(partition: LandedPartition) -> None:
    for listener in list(_listeners):
        listener(partition)
