"""dbt's macro templates, compiled ahead of the command in the waiting dbt process.

dbt compiles a macro's Jinja template the first time a command calls it and keeps it for the rest
of the process (dbt_common's `template_cache`, keyed by the macro's text). A daily build calls about
two hundred macros (materializations, adapter macros, this project's): compiling them is about a
second of dbt's Python time, spent while nodes wait for the interpreter. The waiting dbt process
(warm_dbt.py) has a core of its own while the CLI loads Dagster, so it compiles there, in the order
the last command first called them, the macros that command used, until the command arrives.

What was used is kept in <home>/dbt/macros_used.json (dbt_state.py): the macros' texts, which are
also the cache's keys. A macro whose
text changed since is not found in the cache and is compiled when called, as without this file; a
compiled text that no macro has any more is never looked up. So the file changes how soon a
template is compiled, never which one is used.

`template_cache` and its `get_node_template` are internal to the pinned dbt-common (1.x): without
them, nothing is compiled ahead and nothing is recorded, and dbt compiles as it always does.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from pathlib import Path

from . import dbt_state


def _cache():
    """dbt's template cache, or None when this dbt keeps none (then nothing here applies)."""
    try:
        from dbt_common.clients.jinja import template_cache
    except ImportError:
        return None
    if not callable(getattr(template_cache, "get_node_template", None)):
        return None
    return template_cache


def compile_ahead(path: Path | None, stop: Callable[[], bool]) -> int:
    """Compile the templates the last command used, in its order, until `stop()` is true; returns
    how many were compiled. Any problem (no file, an unreadable one, a template that does not
    compile) only means dbt compiles that template itself, when its macro is called."""
    cache = _cache()
    if cache is None:
        return 0
    texts = dbt_state.read(path)
    if not isinstance(texts, list):
        return 0
    compiled = 0
    for text in texts:
        if stop():
            break
        if not isinstance(text, str):
            continue
        try:
            cache.get_node_template(types.SimpleNamespace(macro_sql=text))
        except Exception:  # noqa: BLE001 - dbt reports it, with the macro's name, if it is ever called
            continue
        compiled += 1
    return compiled


class UsedMacros:
    """Records which macro templates this process's dbt command asks for, first use first."""

    def __init__(self, path: Path | None):
        self.path = path
        self.texts: dict[str, None] = {}

    @classmethod
    def from_environment(cls) -> UsedMacros:
        return cls(dbt_state.path_from_environment(dbt_state.MACROS_USED))

    def install(self) -> bool:
        cache = _cache()
        if cache is None:
            return False
        get, texts = cache.get_node_template, self.texts

        def recorded(node):
            texts.setdefault(node.macro_sql, None)
            return get(node)

        cache.get_node_template = recorded
        return True

    def save(self) -> None:
        if self.path is None or not self.texts:
            return
        dbt_state.write(self.path, list(self.texts))
