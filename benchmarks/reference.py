"""The hand-written DuckDB reference (reference.sql) and the check that it equals the marts.

Three results are compared row for row (doubles within 1e-9 relative and cents derived from a
double sum within a cent: the order of a sum's terms differs): fct_calls' flags and outcome, attribution_credits for last_non_direct and linear,
and roi_daily for those two models.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR

SQL = Path(__file__).with_name("reference.sql")
MODELS = ("last_non_direct", "linear")

# (reference table, mart query): the same columns in the same order
RESULTS = {
    "fct_calls": (
        "ref_fct_calls",
        "select call_id, call_date, is_unique, is_target, is_unique_target, deal_id, deal_status, revenue "
        "from {marts}.fct_calls",
    ),
    "attribution_credits": (
        "ref_attribution_credits",
        "select call_id, attribution_model, touch_session_id, touch_index, touch_count, utm_source, utm_medium, "
        "utm_campaign, campaign_id, credit, revenue_credit from {marts}.attribution_credits "
        "where attribution_model in ('last_non_direct', 'linear')",
    ),
    "roi_daily": (
        "ref_roi_daily",
        "select * from {marts}.roi_daily where attribution_model in ('last_non_direct', 'linear')",
    ),
}


def statements(landing: Path, as_of_date: str, tz: str = "Europe/Moscow") -> list[str]:
    text = SQL.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    text = (text.replace("{landing}", str(landing)).replace("{seeds}", str(DBT_PROJECT_DIR / "seeds"))
            .replace("{tz}", tz).replace("{as_of_date}", as_of_date))
    return [s.strip() for s in text.split(";") if s.strip()]


def connect(threads: int | None = None, memory_limit: str = "1536MB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the warehouse's settings (profiles.yml)."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = false")
    if threads:
        con.execute(f"set threads = {int(threads)}")
    return con


def run(con: duckdb.DuckDBPyConnection, landing: Path, as_of_date: str, tz: str = "Europe/Moscow") -> float:
    started = time.perf_counter()
    for statement in statements(landing, as_of_date, tz):
        con.execute(statement)
    return time.perf_counter() - started


# decimal(18, 2) ratios of a decimal by a double sum: the half-cent rounding may flip with the
# double's last bits, so they are compared within a cent; doubles are compared within 1e-9
# (relative), by key; every other column exactly (EXCEPT ALL both ways).
CENT_TOLERANT = {"roi_daily": ("cost_per_target_call", "cpl", "cpa")}
KEYS = {
    "fct_calls": ("call_id",),
    "attribution_credits": ("call_id", "attribution_model", "touch_index"),
    "roi_daily": ("date", "attribution_model", "campaign_id", "utm_source", "utm_medium", "utm_campaign"),
}


def _null_aware(expression: str, column: str, both_missing: str, one_missing: str) -> str:
    return (f'case when x."{column}" is null and y."{column}" is null then {both_missing} '
            f'when x."{column}" is null or y."{column}" is null then {one_missing} else {expression} end')


def compare(con: duckdb.DuckDBPyConnection, warehouse: Path, tables: dict[str, str] | None = None) -> dict[str, dict]:
    """Per result: rows on each side, rows in one but not the other, and the largest differences."""
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    try:
        out = {}
        for name, (ref_table, mart_query) in RESULTS.items():
            mart = mart_query.format(marts="wh.marts")
            ours = f"select * from {(tables or {}).get(name, ref_table)}"
            described = con.execute(f"describe {mart}").fetchall()
            doubles = [c for c, t, *_ in described if t == "DOUBLE"]
            cents = list(CENT_TOLERANT.get(name, ()))
            exact = ", ".join(f'"{c}"' for c, *_ in described if c not in doubles and c not in cents)
            result = {
                "mart_rows": con.execute(f"select count(*) from ({mart})").fetchone()[0],
                "reference_rows": con.execute(f"select count(*) from ({ours})").fetchone()[0],
                "only_in_mart": con.execute(
                    f"select count(*) from (select {exact} from ({mart}) except all select {exact} from ({ours}))"
                ).fetchone()[0],
                "only_in_reference": con.execute(
                    f"select count(*) from (select {exact} from ({ours}) except all select {exact} from ({mart}))"
                ).fetchone()[0],
            }
            rel = [_null_aware(f'abs(x."{c}" - y."{c}") / greatest(abs(x."{c}"), abs(y."{c}"), 1e-12)', c, "0", "1")
                   for c in doubles]
            cent = [_null_aware(f'abs(x."{c}" - y."{c}")', c, "0", "1e9") for c in cents]
            if rel or cent:
                on = " and ".join(f'x."{k}" is not distinct from y."{k}"' for k in KEYS[name])
                worst = con.execute(
                    f"select max(greatest({', '.join(rel) or '0'}, 0)), max(greatest({', '.join(cent) or '0'}, 0)) "
                    f"from ({mart}) x join ({ours}) y on {on}").fetchone()
                result["max_relative_diff"] = float(worst[0] or 0)
                result["max_cent_diff"] = float(worst[1] or 0)
            out[name] = result
        return out
    finally:
        con.execute("detach wh")


def equal(comparison: dict[str, dict]) -> bool:
    return all(r["only_in_mart"] == 0 and r["only_in_reference"] == 0 and r["mart_rows"] == r["reference_rows"]
               and r.get("max_cent_diff", 0) <= 0.0100001 and r.get("max_relative_diff", 0) <= 1e-9
               for r in comparison.values())
