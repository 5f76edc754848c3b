"""The waiting dbt process compiles ahead the macro templates the last command used (dbt_templates.py)."""

from __future__ import annotations

import json
import subprocess
import sys

from orchestration.warehouse.dbt_templates import compile_ahead

# In a process of its own: dbt's template cache is one per process.
SCRIPT = """
import json, sys, types
from pathlib import Path
from dbt_common.clients.jinja import template_cache
from orchestration.warehouse.dbt_templates import UsedMacros, compile_ahead

used_path, ahead_path = Path(sys.argv[1]), Path(sys.argv[2])
first = "{% macro first() %}select 1{% endmacro %}"
second = "{% macro second(x) %}select {{ x }}{% endmacro %}"
broken = "{% macro broken( %}"

# a command asks for templates: recorded in the order first asked, once each
used = UsedMacros(used_path)
assert used.install()
for text in (second, first, second):
    template_cache.get_node_template(types.SimpleNamespace(macro_sql=text))
used.save()
assert json.loads(used_path.read_text()) == [second, first]

# the next process compiles them ahead, skipping what does not compile, until told to stop
template_cache.clear()
ahead_path.write_text(json.dumps([first, broken, second]))
assert compile_ahead(ahead_path, stop=lambda: False) == 2
assert first in template_cache.file_cache and second in template_cache.file_cache
compiled = template_cache.file_cache[first]
assert template_cache.get_node_template(types.SimpleNamespace(macro_sql=first)) is compiled  # not compiled again
template_cache.clear()
calls = iter([False, True])
assert compile_ahead(ahead_path, stop=lambda: next(calls)) == 1  # the command came after the first
print("ok")
"""


def test_used_macros_are_recorded_then_compiled_ahead_in_dbts_cache(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "used.json"), str(tmp_path / "ahead.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]


def test_a_missing_or_unreadable_list_compiles_nothing(tmp_path):
    assert compile_ahead(None, stop=lambda: False) == 0
    assert compile_ahead(tmp_path / "missing.json", stop=lambda: False) == 0
    (tmp_path / "bad.json").write_text("{not json")
    assert compile_ahead(tmp_path / "bad.json", stop=lambda: False) == 0
    (tmp_path / "dict.json").write_text(json.dumps({"a": 1}))
    assert compile_ahead(tmp_path / "dict.json", stop=lambda: False) == 0
