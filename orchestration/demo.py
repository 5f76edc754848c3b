"""`call-attribution demo`: the whole pipeline on the simulated world, with no network and no credentials."""

from __future__ import annotations

import os
from datetime import timedelta

import duckdb
from rich.console import Console
from rich.table import Table

from . import settings

DEFAULT_MODEL = "last_non_direct"

ROI_BY_CAMPAIGN = """
select
    coalesce(campaign_name, utm_source || ' / ' || utm_medium || ' / ' || coalesce(utm_campaign, '(none)')) as campaign,
    sum(cost) as cost,
    sum(unique_target_calls) as target_calls,
    sum(cost) / nullif(sum(unique_target_calls), 0) as cpl,
    sum(revenue) as revenue,
    (sum(revenue) - sum(cost)) / nullif(sum(cost), 0) as roi
from marts.roi_daily
where attribution_model = ?
group by 1
having sum(cost) > 0 or sum(unique_target_calls) >= 0.5
order by sum(cost) desc nulls last, sum(revenue) desc
"""

# Operators who talk well above their center's average: do the extra minutes pay?
LONG_TALKERS = """
with per_operator as (
    select
        call_center,
        operator_name,
        sum(answered_calls) as answered_calls,
        sum(talk_seconds_total) as talk_seconds,
        sum(revenue) as revenue,
        sum(talk_cost) as talk_cost
    from marts.operator_performance
    group by 1, 2
),
centers as (
    select
        call_center,
        sum(talk_seconds) / nullif(sum(answered_calls), 0) as center_avg_talk,
        sum(revenue) / nullif(sum(talk_seconds) / 60.0, 0) as center_revenue_per_minute,
        sum(talk_cost) / nullif(sum(talk_seconds) / 60.0, 0) as cost_per_minute
    from per_operator
    group by 1
),
flagged as (
    select p.*, c.center_avg_talk, c.center_revenue_per_minute, c.cost_per_minute
    from per_operator as p
    join centers as c using (call_center)
    where p.answered_calls >= 5
      and p.talk_seconds / p.answered_calls >= c.center_avg_talk + 30
)
select
    call_center,
    count(*) as operators,
    (select count(*) from per_operator as o where o.call_center = f.call_center) as center_operators,
    sum(talk_seconds) / sum(answered_calls) as avg_talk,
    any_value(center_avg_talk) as center_avg_talk,
    sum(revenue) / nullif(sum(talk_seconds) / 60.0, 0) as revenue_per_minute,
    any_value(center_revenue_per_minute) as center_revenue_per_minute,
    sum(answered_calls) as answered_calls,
    any_value(cost_per_minute) as cost_per_minute
from flagged as f
group by 1
order by operators desc
"""


def _money(value) -> str:
    return "-" if value is None else f"{float(value):,.0f} ₽".replace(",", " ")


def _ratio(value) -> str:
    return "-" if value is None else f"{float(value) * 100:,.0f}%"


def _seconds(value) -> str:
    value = int(round(float(value)))
    return f"{value // 60}:{value % 60:02d}"


def run_demo(*, days: int, seed: int, port: int, console: Console) -> None:
    from connectors.sandbox import SandboxCredentials, SandboxServer, World, sandbox_env

    from .runner import run_range

    if days < 1:
        raise settings.SettingsError("--days must be at least 1")
    tz = settings.timezone_name()
    end = settings.local_today() - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    console.print(f"[bold]call-attribution demo[/]: a simulated world (seed {seed}), {days} days {start} .. {end}, "
                  "served on loopback in the vendors' own wire formats", highlight=False)
    world = World(seed=seed, end_date=end, days=days, timezone=tz)
    credentials = SandboxCredentials()
    with SandboxServer(world, port=port, credentials=credentials) as server:
        os.environ.update(sandbox_env(server.url, credentials, tz))
        world.write_ground_truth(settings.attribution_home() / "sandbox" / "ground_truth.json")
        run_range(start, end, console=console)
    print_findings(console)


def print_findings(console: Console) -> None:
    path = settings.published_marts_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(ROI_BY_CAMPAIGN, [DEFAULT_MODEL]).fetchall()
        talkers = con.execute(LONG_TALKERS).fetchall()
    finally:
        con.close()
    table = Table(title=f"ROI by campaign ({DEFAULT_MODEL} attribution)")
    for col, justify in [("campaign", "left"), ("cost", "right"), ("target calls", "right"), ("CPL", "right"),
                         ("revenue", "right"), ("ROI", "right")]:
        table.add_column(col, justify=justify)
    for campaign, cost, target_calls, cpl, revenue, roi in rows:
        table.add_row(campaign, _money(cost), f"{float(target_calls or 0):.1f}", _money(cpl), _money(revenue),
                      _ratio(roi))
    console.print(table)
    console.print("[bold]Operators[/]")
    if not talkers:
        console.print("  no operator talks markedly longer than their center's average.")
    for center, n, n_center, avg, center_avg, rpm, center_rpm, answered, cost_per_minute in talkers:
        extra_minutes = (float(avg) - float(center_avg)) * answered / 60
        console.print(
            f"  {center}: {n} of {n_center} operators talk {_seconds(avg)} per answered call vs the center's "
            f"{_seconds(center_avg)}, so the center's average handle time looks worse;",
            highlight=False,
        )
        console.print(
            f"  but they bring {_money(rpm)} of revenue per talk minute vs {_money(center_rpm)} for the center: "
            f"their ~{extra_minutes:,.0f} extra minutes cost ~{_money(extra_minutes * float(cost_per_minute or 0))} "
            "and pay for themselves. Listen to them: marts.call_review_queue.",
            highlight=False,
        )
    console.print(
        f"Warehouse: {settings.warehouse_path()}\nPublished marts (open read-only in a BI tool): {path}\n"
        "Dagster UI on the same run history: call-attribution ui",
        highlight=False,
    )
