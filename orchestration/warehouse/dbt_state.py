"""The small files the dbt process keeps between commands, in <home>/dbt/: how long each node took
(dbt_order.py) and which macros the command used (dbt_templates.py).

Each only makes the next command start sooner, never changes what it does: a missing or unreadable
file counts as none, and each is replaced whole (written beside it, then renamed), so a command
never reads half of one. The warehouse step names them to the dbt process in the environment
(`export`), since the dbt process does not know the home.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

NODE_SECONDS = ("ATTRIBUTION_DBT_NODE_SECONDS", "node_seconds.json")
MACROS_USED = ("ATTRIBUTION_DBT_MACROS", "macros_used.json")


def path_in(home: Path, kept: tuple[str, str]) -> Path:
    return home / "dbt" / kept[1]


def export(home: Path) -> None:
    """Name this home's files to the dbt commands this process starts."""
    for kept in (NODE_SECONDS, MACROS_USED):
        os.environ[kept[0]] = str(path_in(home, kept))


def path_from_environment(kept: tuple[str, str]) -> Path | None:
    value = os.environ.get(kept[0], "").strip()
    return Path(value) if value else None


def read(path: Path | None) -> Any:
    """The file's JSON, or None when there is no file or it cannot be read."""
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=0, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)
