"""BENCHMARKS.md: the table of results.json, one column per scale, with the goals of the issue."""

from __future__ import annotations

from pathlib import Path


def _daily_part(part: str):
    """A part of the median daily run (results' daily_run_parts[_30d]), 'a year / 30 days' of history."""
    def value(results: dict):
        year, month = (results.get(key, {}).get(part) for key in ("daily_run_parts", "daily_run_parts_30d"))
        return None if year is None else f"{year} / {'-' if month is None else month}"
    return value


# (key or function of a scale's results, label, goal text, goal check)
ROWS = [
    ("full_build_s", "full build: `dbt build`, all models, marts and tests (s)", "minutes", None),
    ("core_run_s", "core run: `dbt run` of what fct_calls, attribution_credits, roi_daily need (s)", "", None),
    ("core_run_dbt_elapsed_s", "  of which dbt's own elapsed time, without start-up and parse (s)", "", None),
    ("tests_s", "tests: `dbt test` (s)", "", None),
    ("reference_sql_s", "hand-written DuckDB reference, same landing files (s)", "", None),
    ("ratio_vs_reference", "ratio_vs_reference = core_run_s / reference_sql_s", "<= 1.5", lambda v: v <= 1.5),
    ("reference_equals_marts", "reference rows equal the marts' rows", "true", lambda v: v is True),
    ("pandas_s", "plain pandas, same results (s)", "", None),
    ("speedup_vs_pandas", "speedup_vs_pandas = pandas_s / core_run_s", ">= 10", lambda v: v >= 10),
    ("pandas_equals_marts", "pandas rows equal the marts' rows", "true", lambda v: v is True),
    ("daily_run_s", "daily run: one new day on the full history (s)", "<= 20", lambda v: v <= 20),
    ("daily_run_s_30d_history", "daily run: the same day on 30 days of history (s)", "", None),
    (_daily_part("build_step_s"), "  of which the dbt build step (s), a year / 30 days", "", None),
    (_daily_part("publish_s"), "  of which publishing marts.duckdb (s), a year / 30 days", "", None),
    (_daily_part("other_s"), "  of which the rest: start-up, the run's bookkeeping (s), a year / 30 days", "", None),
    ("daily_history_ratio", "daily_run_s / daily_run_s_30d_history", "<= 1.3", lambda v: v <= 1.3),
    ("ingest_records_per_s", "ingest: records/s, real connectors, sandbox over loopback, vendors' request quotas on",
     ">= 50,000", lambda v: v >= 50_000),
    ("ingest_records_per_s_without_quotas", "  the same with the quotas off: what the client parses and lands per second",
     "", None),
    ("peak_rss_mb_build", "peak RSS of the full build (MB)", "<= 2048", lambda v: v <= 2048),
    ("peak_rss_mb_landing", "peak RSS of the landing (MB)", "", None),
    ("generate_s", "generating the world into the landing zone (s)", "a few minutes", None),
]


def _cell(value, check) -> str:
    if value is None:
        return "-"
    text = f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value).lower()
    if check is not None:
        text += " ✓" if check(value) else " ✗"
    return text


def write_report(results: dict[str, dict], path: Path) -> None:
    scales = sorted(results, key=lambda s: results[s].get("share_of_full", 0), reverse=True)
    head = "| measurement | goal | " + " | ".join(f"{s} ({results[s].get('measured_on', '')})" for s in scales) + " |"
    lines = [head, "| --- | --- | " + " | ".join("---:" for _ in scales) + " |"]
    for key, label, goal, check in ROWS:
        values = [key(results[s]) if callable(key) else results[s].get(key) for s in scales]
        lines.append(f"| {label} | {goal} | " + " | ".join(_cell(value, check) for value in values) + " |")
    rows = " | ".join(
        ", ".join(f"{k.split('/')[-1]} {v:,}" for k, v in results[s].get("rows", {}).items()) for s in scales)
    lines.append(f"| rows landed | | {rows} |")
    table = "\n".join(lines)
    text = path.read_text(encoding="utf-8") if path.exists() else _SKELETON
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    if start in text and end in text:
        text = text[: text.index(start) + len(start)] + "\n" + table + "\n" + text[text.index(end):]
    else:
        text += f"\n{start}\n{table}\n{end}\n"
    path.write_text(text, encoding="utf-8")


_SKELETON = """# Benchmarks

`python -m benchmarks --scale full` (see benchmarks/__main__.py) writes benchmarks/results.json and
the table below.

<!-- results:start -->
<!-- results:end -->
"""
