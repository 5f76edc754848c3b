"""On a sandbox world landed end to end, the published marts agree with what the world really contains."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
import pytest

pytestmark = pytest.mark.slow

MODELS = ("last_click", "last_non_direct", "first_click", "linear", "position_based", "time_decay")


@pytest.fixture(scope="module")
def marts(pipeline_run):
    con = duckdb.connect(str(pipeline_run.home / "marts.duckdb"), read_only=True)
    yield con
    con.close()


def _call_key(vendor_id: str) -> str:
    return f"calltouch:{vendor_id}"


def test_target_and_unique_target_flags_equal_the_ground_truth_call_by_call(pipeline_run, marts):
    truth = pipeline_run.truth["calls"]
    rows = marts.execute("select call_id, is_unique, is_target, is_unique_target from marts.fct_calls").fetchall()
    assert len(rows) == len(truth)
    got = {call_id: (u, t, ut) for call_id, u, t, ut in rows}
    mismatches = [
        (vid, got.get(_call_key(vid)), (c["is_unique"], c["is_target"], c["is_unique_target"]))
        for vid, c in truth.items()
        if got.get(_call_key(vid)) != (c["is_unique"], c["is_target"], c["is_unique_target"])
    ]
    assert mismatches == []
    totals = marts.execute("select count(*) filter (is_target), count(*) filter (is_unique_target) from marts.fct_calls").fetchone()
    assert totals == (
        sum(c["is_target"] for c in truth.values()),
        sum(c["is_unique_target"] for c in truth.values()),
    )


def test_last_non_direct_credits_the_visit_and_campaign_that_caused_each_call(pipeline_run, marts):
    truth = pipeline_run.truth["calls"]
    rows = marts.execute(
        """
        select call_id, touch_session_id, campaign_id
        from marts.attribution_credits
        where attribution_model = 'last_non_direct' and credit = 1 and touch_session_id is not null
        """
    ).fetchall()
    credited = {call_id: (session, campaign) for call_id, session, campaign in rows}
    journeys = {vid: c for vid, c in truth.items() if c["touch_count"] > 0}
    assert len(journeys) > 50
    wrong = [
        (vid, credited.get(_call_key(vid)), (c["visit_id"], c["campaign_id"]))
        for vid, c in journeys.items()
        if credited.get(_call_key(vid)) != (c["visit_id"], c["campaign_id"])
    ]
    assert wrong == []


def test_credits_sum_to_one_for_every_call_and_model(marts):
    bad = marts.execute(
        """
        select call_id, attribution_model, sum(credit)
        from marts.attribution_credits
        group by 1, 2
        having abs(sum(credit) - 1) > 1e-9
        """
    ).fetchall()
    assert bad == []
    models = {m for (m,) in marts.execute("select distinct attribution_model from marts.attribution_credits").fetchall()}
    assert models == set(MODELS)


def test_roi_daily_spend_sums_to_the_direct_totals_for_every_model(pipeline_run, marts):
    expected = sum(Decimal(str(day["direct_cost_with_vat"])) for day in pipeline_run.truth["daily"].values())
    rows = marts.execute("select attribution_model, sum(cost) from marts.roi_daily group by 1").fetchall()
    assert {m for m, _ in rows} == set(MODELS)
    for model, cost in rows:
        assert abs(Decimal(cost) - expected) <= Decimal("0.05"), model


def test_revenue_credited_sums_to_the_won_deals_linked_to_calls(pipeline_run, marts):
    truth = pipeline_run.truth["calls"]
    expected = sum(c["revenue"] for c in truth.values() if c["deal_status"] == 142)
    assert expected > 0
    for model, revenue in marts.execute(
        "select attribution_model, sum(revenue_credit) from marts.attribution_credits group by 1"
    ).fetchall():
        assert abs(float(revenue) - expected) < 0.01 * len(truth), model
    linked = {
        call_id: deal_id
        for call_id, deal_id in marts.execute("select call_id, deal_id from marts.fct_calls where deal_id is not null").fetchall()
    }
    expected_links = {_call_key(vid): c["deal_id"] for vid, c in truth.items() if c["deal_id"]}
    assert {k: v.split(":")[-1] for k, v in linked.items()} == expected_links


def test_trained_operators_talk_longer_and_earn_more_per_talk_minute_than_their_center(pipeline_run, marts):
    trained = {(o["call_center"], o["operator"]) for o in pipeline_run.truth["operators"] if o["trained"]}
    assert trained
    per_operator = marts.execute(
        """
        select call_center, operator_name, sum(answered_calls), sum(talk_seconds_total), sum(revenue)
        from marts.operator_performance
        group by 1, 2
        """
    ).fetchall()
    groups: dict[tuple[str, bool], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for center, operator, answered, talk, revenue in per_operator:
        for key in ((center, True), ) if (center, operator) in trained else ((center, False),):
            g = groups[key]
            g[0] += answered
            g[1] += float(talk)
            g[2] += float(revenue)
    center = next(iter(trained))[0]
    t_answered, t_talk, t_revenue = groups[(center, True)]
    o_answered, o_talk, o_revenue = groups[(center, False)]
    center_avg_talk = (t_talk + o_talk) / (t_answered + o_answered)
    center_rpm = (t_revenue + o_revenue) / ((t_talk + o_talk) / 60)
    assert t_talk / t_answered > center_avg_talk
    assert t_revenue / (t_talk / 60) > center_rpm
    # the mart carries the center's average beside each operator's, so one query shows it
    row = marts.execute(
        "select avg_talk_seconds, center_avg_talk_seconds from marts.operator_performance where call_center = ? limit 1",
        [center],
    ).fetchone()
    assert row[1] is not None


def test_data_quality_accounts_for_every_landed_row(pipeline_run, marts):
    rows = marts.execute(
        "select source, stream, sum(rows_landed), sum(rows_staged), sum(rows_quarantined) from marts.data_quality group by 1, 2"
    ).fetchall()
    assert {(s, t) for s, t, *_ in rows} == {
        ("calltouch", "calls"), ("yandex_direct", "campaign_stats"), ("yandex_metrika", "visits"),
        ("amocrm", "leads"), ("amocrm", "contacts"),
    }
    for source, stream, landed, staged, quarantined in rows:
        assert landed == staged + quarantined, (source, stream)
        assert landed > 0


def test_published_marts_hold_no_raw_phone_number(pipeline_run, marts):
    import pyarrow.parquet as pq

    numbers = set()
    for path in (pipeline_run.home / "landing" / "calltouch" / "calls").glob("*.parquet"):
        numbers |= {n for n in pq.read_table(path, columns=["caller_e164"]).column(0).to_pylist() if n}
    digits = {n.lstrip("+") for n in numbers} | {"8" + n[2:] for n in numbers}
    assert digits
    tables = marts.execute("select table_name from information_schema.tables where table_catalog = 'marts'").fetchall()
    assert len(tables) == 6
    for (table,) in tables:
        columns = [c for c, t in marts.execute(
            "select column_name, data_type from information_schema.columns where table_catalog = 'marts' and table_name = ?",
            [table]).fetchall() if t == "VARCHAR"]
        for column in columns:
            values = {v for (v,) in marts.execute(f'select distinct "{column}" from marts."{table}"').fetchall() if v}
            for value in values:
                assert not any(d in value for d in digits), (table, column)
