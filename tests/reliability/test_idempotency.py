"""Re-running never changes a number, and late data replaces instead of adding.

Two overlapping ranges, the first landed a day earlier (when some deals had not changed yet), publish
the marts of one uninterrupted run row for row; marts.data_quality additionally counts the earlier
versions of the re-landed deals as quarantined. A deal won ten days and more after its call shows up
once, with its final revenue. (The same range twice: test_fault_matrix, under 30% faults.)
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.sandbox import World
from tests.reliability.pipeline import (END, SCALE, SEED, START, compare, make_world, marts_snapshot, run_pipeline,
                                        sandbox, total_rows)

pytestmark = pytest.mark.slow

MOSCOW = "Europe/Moscow"


def _quality(marts: dict) -> dict[tuple, tuple]:
    """data_quality by (source, stream, date): (rows_landed, rows_staged, rows_quarantined, reasons)."""
    return {row[:3]: row[3:] for row in marts["data_quality"]}


def test_two_overlapping_ranges_landed_a_day_apart_publish_the_marts_of_one_run(tmp_path, baseline, clean_server,
                                                                               homes, reliability):
    homes.append(tmp_path)
    middle = START + timedelta(days=1)  # the first run lands START..middle, the second middle..END
    started = time.monotonic()
    with sandbox(make_world(end=middle, days=2)) as earlier:  # the morning after `middle`
        run_pipeline(tmp_path, earlier.url, START, middle)
    run_pipeline(tmp_path, clean_server.url, middle, END)  # two mornings later, overlapping on `middle`
    reliability.timed("two overlapping ranges, landed a day apart", time.monotonic() - started)
    got = marts_snapshot(tmp_path / "marts.duckdb")
    others = compare({k: v for k, v in baseline.marts.items() if k != "data_quality"},
                     {k: v for k, v in got.items() if k != "data_quality"})
    want_quality, got_quality = _quality(baseline.marts), _quality(got)
    differing = {key: (want_quality.get(key), got_quality.get(key))
                 for key in set(want_quality) | set(got_quality) if want_quality.get(key) != got_quality.get(key)}
    relanded = sum(g[0] - w[0] for w, g in differing.values() if w and g)
    reliability.record("idempotency", f"two overlapping ranges landed a day apart ({START} .. {middle}, then "
                                      f"{middle} .. {END}; deals changed in between)", "2 runs",
                       f"every mart equal to one run over the whole range, row for row "
                       f"({total_rows(baseline.marts)} rows); data_quality also counts the {relanded} earlier "
                       f"versions of re-landed deals and contacts as quarantined" if others.equal else others.detail,
                       others.lost)
    assert others.equal, others.detail
    assert relanded > 0, "some deal should have changed between the two runs (late data)"
    for (source, stream, day), (want, have) in differing.items():
        assert source == "amocrm" and want and have, (source, stream, day, want, have)
        assert have[1] == want[1], f"{stream} {day}: staged rows differ"
        assert have[0] - have[2] == want[0] - want[2], f"{stream} {day}: extra landed rows not all quarantined"
        assert set(_reasons(have[3])) - set(_reasons(want[3])) <= {"superseded_version", "duplicate_id"}


def _reasons(text: str | None) -> dict[str, int]:
    return {k: int(v) for k, v in (part.split(": ") for part in (text or "").split("; ") if part)}


def _late_deal(min_gap_days: int = 10):
    """A won deal linked to a call at least `min_gap_days` before the win, opened within a day of the
    call: (call day, won day, deal id, call id, price)."""
    world = World(seed=SEED, end_date=date(2026, 10, 31), days=30, scale=SCALE, timezone=MOSCOW)
    truth = world.ground_truth()
    leads = {str(lead.lead_id): lead for lead in world.leads()}
    found = []
    for deal_id, call_id in truth["deal_links"].items():
        lead = leads[deal_id]
        _, status, closed = world.lead_state(lead)
        call_day = date.fromisoformat(truth["calls"][call_id]["date"])
        if status == 142 and (closed.date() - call_day).days >= min_gap_days \
                and lead.created.date() <= call_day + timedelta(days=1):
            found.append(((closed.date() - call_day).days, call_day, closed.date(), deal_id, call_id, lead.price))
    assert found, "the world should have a deal won ten days or more after its call"
    _, call_day, won_day, deal_id, call_id, price = min(found)
    return call_day, won_day, deal_id, call_id, price


def test_a_deal_won_ten_days_after_its_call_shows_up_once_with_its_final_revenue(tmp_path, homes, reliability):
    homes.append(tmp_path)
    call_day, won_day, deal_id, call_id, price = _late_deal()
    sources = ["calltouch", "amocrm"]
    started = time.monotonic()
    before = World(seed=SEED, end_date=call_day + timedelta(days=1), days=2, scale=SCALE, timezone=MOSCOW)
    with sandbox(before) as server:  # the morning after the call: the deal is open
        run_pipeline(tmp_path, server.url, call_day, call_day + timedelta(days=1), sources=sources, build=False,
                     timezone=MOSCOW)
    landed = [r for p in (tmp_path / "landing/amocrm/leads").glob("*.parquet")
              for r in pq.read_table(p, columns=["lead_id", "status_id"]).to_pylist() if r["lead_id"] == deal_id]
    after = World(seed=SEED, end_date=won_day, days=2, scale=SCALE, timezone=MOSCOW)
    with sandbox(after) as server:  # the morning after it was won: it lands again, on the day it changed
        run_pipeline(tmp_path, server.url, won_day - timedelta(days=1), won_day, sources=sources, timezone=MOSCOW)
    reliability.timed("a deal won ten days after its call", time.monotonic() - started)
    with duckdb.connect(str(tmp_path / "marts.duckdb"), read_only=True) as con:
        rows = con.execute("select call_id, deal_status, revenue from marts.fct_calls where deal_id = ?",
                           [deal_id]).fetchall()
        credited = con.execute("select attribution_model, sum(revenue_credit) from marts.attribution_credits "
                               "where call_id = ? group by 1", [f"calltouch:{call_id}"]).fetchall()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        versions = con.execute("select _quarantine_reason from staging.base_amocrm__leads where lead_id = ? "
                               "order by _partition_date", [deal_id]).fetchall()
    final = Decimal(price).quantize(Decimal("0.01"))
    ok = rows == [(f"calltouch:{call_id}", "won", final)]
    reliability.record("idempotency", f"a deal won {(won_day - call_day).days} days after its call, landed again "
                                      "on the day it was won", "2 runs (the day after the call, the day after the win)",
                       "the call shows the deal once, won, with its final revenue (in every attribution model); "
                       "the earlier version is quarantined as superseded_version" if ok else f"got {rows}",
                       0 if ok else abs(len(rows) - 1) or 1)
    assert landed and all(r["status_id"] != 142 for r in landed), "the first run should land the deal still open"
    assert rows == [(f"calltouch:{call_id}", "won", final)]
    assert versions == [("superseded_version",), (None,)]
    assert len(credited) == 6 and all(total == final for _, total in credited), credited
