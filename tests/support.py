"""Helpers shared by tests (importable as `tests.support`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

@contextmanager
def environment(values: dict[str, str], unset: tuple[str, ...] = ()) -> Iterator[None]:
    """Set (and unset) environment variables for a block, restoring them after."""
    saved = {k: os.environ.get(k) for k in [*values, *unset]}
    os.environ.update(values)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
