"""What an analyst would otherwise write: the same three results in plain pandas.

Read the landing files, keep the latest copy of each record, flag the calls, join touches, split
the credit (last_non_direct and linear), link deals, and add up roi_daily - merges, groupbys and
sorts, no SQL. Same definitions as the marts, so the benchmark can check the rows are equal.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from orchestration.settings import DBT_PROJECT_DIR

WINDOW = pd.Timedelta(hours=720)
MODELS = ("last_non_direct", "linear")


def _read(landing: Path, stream: str, columns: list[str]) -> pd.DataFrame:
    """One frame of a stream's day files (read in file order), with each row's position in its file."""
    df = pq.read_table(landing / stream, columns=list(dict.fromkeys([*columns, "_partition_date"]))).to_pandas()
    df["_file_row"] = df.groupby("_partition_date").cumcount()  # one file per landed day
    return df


def _latest(df: pd.DataFrame, key: list[str], order: list[str]) -> pd.DataFrame:
    """The kept copy per key, as staging keeps it: the first by ``order``, all descending."""
    return df.sort_values(order, ascending=False, na_position="last").drop_duplicates(key, keep="first")


def _resolve(df: pd.DataFrame, names: pd.DataFrame, overrides: pd.DataFrame) -> pd.Series:
    by_id = df["utm_campaign"].map(pd.Series(names["campaign_id"].values, index=names["campaign_id"].values))
    name_keys = names.groupby("campaign_name_key")["campaign_id"].min()
    by_name = df["utm_campaign"].str.strip().str.lower().map(name_keys)
    okey = overrides["utm_source"].str.strip().str.lower() + "\x00" + overrides["utm_campaign"].str.strip().str.lower()
    by_override = (df["utm_source"].str.strip().str.lower() + "\x00" + df["utm_campaign"].str.strip().str.lower()).map(
        pd.Series(overrides["campaign_id"].astype(str).values, index=okey.values).groupby(level=0).min())
    return df["direct_campaign_id"].fillna(by_id).fillna(by_name).fillna(by_override)


def compute(landing: Path, as_of_date: str, tz: str = "Europe/Moscow") -> dict[str, pd.DataFrame]:
    seeds = DBT_PROJECT_DIR / "seeds"
    # calls: valid, latest copy, flags
    calls = _read(landing, "calltouch/calls", [
        "call_id", "started_at_local", "caller_hash", "tracking_number", "answered", "talk_seconds", "wait_seconds",
        "client_id", "utm_source", "utm_medium", "utm_campaign", "direct_campaign_id", "_landed_at", "_partition_date"])
    talk, wait = calls["talk_seconds"].fillna(0), calls["wait_seconds"].fillna(0)
    calls = calls[calls["call_id"].notna() & (calls["call_id"].str.strip() != "") & calls["started_at_local"].notna()
                  & (talk >= 0) & (wait >= 0) & (talk + wait <= 86400)]
    calls["_own_day"] = calls["started_at_local"].dt.date == calls["_partition_date"]
    calls = _latest(calls, ["call_id"], ["_own_day", "_partition_date", "_file_row"])
    calls["call_id"] = "calltouch:" + calls["call_id"]
    calls["started_at"] = calls["started_at_local"].dt.tz_localize(tz).dt.tz_convert("UTC")
    calls["call_date"] = calls["started_at_local"].dt.date
    calls["is_target"] = calls["answered"].fillna(False) & (calls["talk_seconds"].fillna(0) >= 30)
    calls = calls.sort_values(["caller_hash", "started_at", "call_id"])
    same = calls["caller_hash"].eq(calls["caller_hash"].shift())
    previous = calls["started_at"].shift().where(same)
    calls["is_unique"] = calls["caller_hash"].isna() | previous.isna() | (previous < calls["started_at"] - WINDOW)
    target_at = calls["started_at"].where(calls["is_target"])
    prev_target = target_at.groupby(calls["caller_hash"]).ffill().groupby(calls["caller_hash"]).shift()
    calls["is_unique_target"] = calls["is_target"] & (
        calls["caller_hash"].isna() | prev_target.isna() | (prev_target < calls["started_at"] - WINDOW))
    digits = calls["tracking_number"].str.replace(r"[^0-9]", "", regex=True)
    calls["tracking_number"] = ("+" + digits).where(digits.fillna("") != "")

    # sessions
    visits = _read(landing, "yandex_metrika/visits", [
        "visit_id", "client_id", "started_at_local", "traffic_source", "utm_source", "utm_medium", "utm_campaign",
        "direct_campaign_id", "_landed_at", "_partition_date"])
    visits = visits[visits["visit_id"].notna() & (visits["visit_id"].str.strip() != "") & visits["started_at_local"].notna()]
    visits["_own_day"] = visits["started_at_local"].dt.date == visits["_partition_date"]
    visits = _latest(visits, ["visit_id"], ["_own_day", "_partition_date", "_file_row"])
    visits["client_id"] = visits["client_id"].replace("0", None)
    visits["direct_campaign_id"] = visits["direct_campaign_id"].replace("0", None)
    visits["visit_date"] = visits["started_at_local"].dt.date

    # campaigns and resolution
    stats = _read(landing, "yandex_direct/campaign_stats", [
        "date", "campaign_id", "campaign_name", "impressions", "clicks", "cost", "_landed_at", "_partition_date"])
    stats = stats[stats["campaign_id"].notna() & (stats["campaign_id"].str.strip() != "") & stats["date"].notna()
                  & ~((stats["cost"] < 0) | (stats["clicks"] < 0) | (stats["impressions"] < 0))]
    stats["_own_day"] = stats["date"] == stats["_partition_date"]
    stats = _latest(stats, ["date", "campaign_id"], ["_own_day", "_partition_date", "_file_row"])
    names = _latest(stats, ["campaign_id"], ["date", "_landed_at"])[["campaign_id", "campaign_name"]]
    names["campaign_name_key"] = names["campaign_name"].str.strip().str.lower()
    overrides = pd.read_csv(seeds / "campaign_overrides.csv", dtype=str)
    lines = pd.read_csv(seeds / "tracking_number_channels.csv", dtype=str)

    # touches and the two models' credits
    with_client = calls[calls["client_id"].notna()][["call_id", "client_id", "started_at"]]
    sessions = visits[visits["client_id"].notna()]
    touches = with_client.merge(sessions[["visit_id", "client_id", "started_at_local", "traffic_source", "utm_source",
                                          "utm_medium", "utm_campaign", "direct_campaign_id"]], on="client_id")
    touches["touch_at"] = touches["started_at_local"].dt.tz_localize(tz).dt.tz_convert("UTC")
    touches = touches[(touches["touch_at"] <= touches["started_at"]) & (touches["touch_at"] >= touches["started_at"] - WINDOW)]
    touches["sort_key"] = touches["visit_id"].astype(float)  # ids are numeric; ties by text after
    touches = touches.sort_values(["call_id", "touch_at", "sort_key", "visit_id"])
    touches["touch_index"] = touches.groupby("call_id").cumcount() + 1
    touches["touch_count"] = touches.groupby("call_id")["call_id"].transform("size")
    direct = touches["traffic_source"].isin(["direct", "internal"]) & touches["utm_source"].isna()
    last_nd = touches["touch_index"].where(~direct).groupby(touches["call_id"]).transform("max")
    touches["lnd"] = np.where(touches["touch_index"] == last_nd.fillna(touches["touch_count"]), 1.0, 0.0)
    touches = touches.rename(columns={"visit_id": "touch_session_id"})
    base_cols = ["call_id", "touch_session_id", "touch_index", "touch_count", "utm_source", "utm_medium",
                 "utm_campaign", "direct_campaign_id"]
    lnd = touches[base_cols].assign(attribution_model="last_non_direct", credit=touches["lnd"])
    linear = touches[base_cols].assign(attribution_model="linear", credit=1.0 / touches["touch_count"])

    untouched = calls[~calls["call_id"].isin(touches["call_id"])].merge(
        lines.assign(line=True), on="tracking_number", how="left", suffixes=("", "_line"))
    vendor = untouched["utm_source"].notna() | untouched["utm_campaign"].notna() | untouched["direct_campaign_id"].notna()
    line = ~vendor & untouched["line"].notna()
    fallback = pd.DataFrame({
        "call_id": untouched["call_id"], "touch_session_id": None, "touch_index": 0, "touch_count": 0,
        "utm_source": np.where(vendor, untouched["utm_source"], np.where(line, untouched["utm_source_line"], "(direct)")),
        "utm_medium": np.where(vendor, untouched["utm_medium"], np.where(line, untouched["utm_medium_line"], "(none)")),
        "utm_campaign": np.where(vendor, untouched["utm_campaign"], np.where(line, untouched["utm_campaign_line"], None)),
        "direct_campaign_id": untouched["direct_campaign_id"].where(vendor),
    })
    credits = pd.concat([lnd, linear] + [fallback.assign(attribution_model=m, credit=1.0) for m in MODELS],
                        ignore_index=True)
    for col in ("utm_source", "utm_medium", "utm_campaign", "direct_campaign_id"):
        credits[col] = credits[col].astype(object).where(credits[col].notna(), None)
    credits["campaign_id"] = _resolve(credits, names, overrides)

    # deals
    leads = _read(landing, "amocrm/leads", ["lead_id", "price", "status_id", "created_at", "updated_at", "is_deleted",
                                             "contact_ids", "main_contact_id", "_landed_at"])
    leads = leads[leads["lead_id"].notna() & (leads["lead_id"].str.strip() != "") & leads["created_at"].notna()]
    leads = _latest(leads, ["lead_id"], ["updated_at", "_partition_date", "_file_row"])
    leads = leads[~leads["is_deleted"].fillna(False)]
    contacts = _read(landing, "amocrm/contacts", ["contact_id", "caller_hash", "updated_at", "_landed_at"])
    contacts = contacts[contacts["contact_id"].notna() & (contacts["contact_id"].str.strip() != "")]
    newest = contacts.sort_values(["updated_at", "_partition_date"], ascending=False, na_position="last") \
        .groupby("contact_id")[["updated_at", "_partition_date"]].first()
    contacts = contacts.merge(newest, left_on="contact_id", right_index=True, suffixes=("", "_newest"))
    same_version = (contacts["updated_at"].eq(contacts["updated_at_newest"])
                    | (contacts["updated_at"].isna() & contacts["updated_at_newest"].isna())) \
        & contacts["_partition_date"].eq(contacts["_partition_date_newest"])
    contacts = contacts[same_version & contacts["caller_hash"].notna()]
    deal_contacts = pd.concat([
        leads[["lead_id", "contact_ids"]].explode("contact_ids").rename(columns={"contact_ids": "contact_id"}),
        leads.loc[leads["main_contact_id"].notna(), ["lead_id", "main_contact_id"]].rename(columns={"main_contact_id": "contact_id"}),
    ]).drop_duplicates()
    phones = deal_contacts.merge(contacts[["contact_id", "caller_hash"]], on="contact_id")[["lead_id", "caller_hash"]].drop_duplicates()
    utc = calls[calls["is_unique_target"] & calls["caller_hash"].notna()][["call_id", "caller_hash", "started_at"]]
    cand = leads[["lead_id", "created_at"]].merge(phones, on="lead_id").merge(utc, on="caller_hash")
    cand = cand[(cand["started_at"] < cand["created_at"]) & (cand["started_at"] >= cand["created_at"] - WINDOW)]
    cand = cand.sort_values(["lead_id", "started_at", "call_id"], ascending=[True, False, False]).drop_duplicates("lead_id")
    cand["deal_num"] = cand["lead_id"].astype(float)
    links = cand.sort_values(["call_id", "created_at", "deal_num", "lead_id"]).drop_duplicates("call_id")
    leads = leads.merge(links[["lead_id", "call_id"]], on="lead_id", how="left")
    leads["deal_status"] = np.select([leads["status_id"] == 142, leads["status_id"] == 143], ["won", "lost"], "open")
    leads["revenue"] = np.where(leads["deal_status"] == "won", leads["price"].fillna(0).map(lambda d: round(d, 2)), 0)

    linked = leads[leads["call_id"].notna()]
    fct = calls[["call_id", "call_date", "is_unique", "is_target", "is_unique_target"]].merge(
        linked[["call_id", "lead_id", "deal_status", "revenue"]], on="call_id", how="left")
    fct["revenue"] = fct["revenue"].fillna(0).astype(float)
    fct = fct.rename(columns={"lead_id": "deal_id"})

    credits = credits.merge(fct[["call_id", "revenue", "call_date", "is_target", "is_unique_target", "deal_status"]],
                            on="call_id")
    credits["revenue_credit"] = (credits["credit"] * credits["revenue"]).round(2)

    # roi_daily
    resolved = credits["campaign_id"].notna()
    conv = pd.DataFrame({
        "date": credits["call_date"], "attribution_model": credits["attribution_model"],
        "campaign_id": credits["campaign_id"],
        "utm_source": credits["utm_source"].where(~resolved), "utm_medium": credits["utm_medium"].where(~resolved),
        "utm_campaign": credits["utm_campaign"].where(~resolved), "sessions": 0, "calls": credits["credit"],
        "target_calls": credits["credit"].where(credits["is_target"], 0.0),
        "unique_target_calls": credits["credit"].where(credits["is_unique_target"], 0.0),
        "deals_won": credits["credit"].where(credits["deal_status"] == "won", 0.0),
        "revenue": credits["revenue_credit"],
    })
    groups = visits.groupby(["visit_date", "direct_campaign_id", "utm_source", "utm_medium", "utm_campaign"],
                            dropna=False).size().rename("sessions").reset_index()
    for col in ("direct_campaign_id", "utm_source", "utm_medium", "utm_campaign"):
        groups[col] = groups[col].astype(object).where(groups[col].notna(), None)
    groups["campaign_id"] = _resolve(groups, names, overrides)
    g_res = groups["campaign_id"].notna()
    sess = pd.DataFrame({
        "date": groups["visit_date"], "campaign_id": groups["campaign_id"],
        "utm_source": groups["utm_source"].where(~g_res), "utm_medium": groups["utm_medium"].where(~g_res),
        "utm_campaign": groups["utm_campaign"].where(~g_res), "sessions": groups["sessions"],
    })
    won_alone = leads[leads["call_id"].isna() & (leads["deal_status"] == "won")]
    nocall = pd.DataFrame({
        "date": won_alone["created_at"].dt.tz_convert(tz).dt.date, "campaign_id": None, "utm_source": "(no call)",
        "utm_medium": "(none)", "utm_campaign": None, "sessions": 0, "deals_won": 1.0,
        "revenue": won_alone["revenue"].astype(float),
    })
    per_model = [pd.concat([sess, nocall], ignore_index=True).assign(attribution_model=m) for m in MODELS]
    rows = pd.concat([conv, *per_model], ignore_index=True).fillna(
        {"calls": 0.0, "target_calls": 0.0, "unique_target_calls": 0.0, "deals_won": 0.0, "revenue": 0.0})
    keys = ["date", "attribution_model", "campaign_id", "utm_source", "utm_medium", "utm_campaign"]
    activity = rows.groupby(keys, dropna=False)[["sessions", "calls", "target_calls", "unique_target_calls",
                                                "deals_won", "revenue"]].sum().reset_index()
    spend = stats.groupby(["date", "campaign_id"])[["impressions", "clicks"]].sum()
    spend["cost"] = stats.assign(cost=stats["cost"].fillna(0).map(lambda d: round(d, 2))).groupby(["date", "campaign_id"])["cost"].sum()
    spend = spend.reset_index()
    spend = pd.concat([spend.assign(attribution_model=m) for m in MODELS], ignore_index=True)
    joined = activity.merge(spend, on=["date", "attribution_model", "campaign_id"], how="outer")
    joined[["impressions", "clicks"]] = joined[["impressions", "clicks"]].fillna(0)
    joined["cost"] = joined["cost"].fillna(0).astype(float)
    joined[["sessions", "calls", "target_calls", "unique_target_calls", "deals_won", "revenue"]] = joined[
        ["sessions", "calls", "target_calls", "unique_target_calls", "deals_won", "revenue"]].fillna(0)
    joined = joined.merge(names[["campaign_id", "campaign_name"]], on="campaign_id", how="left")
    joined["ad_platform"] = np.where(joined["campaign_id"].notna(), "yandex_direct", None)

    def ratio(a, b):
        return (joined[a] / joined[b].where(joined[b] != 0))

    def money(values):  # like a cast to decimal(18, 2): half away from zero
        return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100

    joined["cpc"] = money(ratio("cost", "clicks"))
    joined["cost_per_target_call"] = money(ratio("cost", "target_calls"))
    joined["cpl"] = money(ratio("cost", "unique_target_calls"))
    joined["cpa"] = money(ratio("cost", "deals_won"))
    joined["roi"] = (joined["revenue"] - joined["cost"]) / joined["cost"].where(joined["cost"] != 0)
    joined["roas"] = ratio("revenue", "cost")
    joined["is_settled"] = pd.to_datetime(joined["date"]) < pd.Timestamp(as_of_date) - pd.Timedelta(days=3)
    roi = joined[["date", "attribution_model", "ad_platform", "campaign_id", "campaign_name", "utm_source", "utm_medium",
                  "utm_campaign", "impressions", "clicks", "cost", "sessions", "calls", "target_calls",
                  "unique_target_calls", "deals_won", "revenue", "cpc", "cost_per_target_call", "cpl", "cpa", "roi",
                  "roas", "is_settled"]]
    attribution = credits[["call_id", "attribution_model", "touch_session_id", "touch_index", "touch_count",
                           "utm_source", "utm_medium", "utm_campaign", "campaign_id", "credit", "revenue_credit"]]
    fct = fct[["call_id", "call_date", "is_unique", "is_target", "is_unique_target", "deal_id", "deal_status", "revenue"]]
    return {"fct_calls": fct, "attribution_credits": attribution, "roi_daily": roi}


def run(landing: Path, as_of_date: str) -> tuple[float, dict[str, pd.DataFrame]]:
    started = time.perf_counter()
    results = compute(landing, as_of_date)
    return time.perf_counter() - started, results


def register(con, results: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The frames as DuckDB tables typed like the marts' columns, for reference.compare."""
    casts = {
        "fct_calls": "call_id::varchar, call_date::date, is_unique::boolean, is_target::boolean, "
                     "is_unique_target::boolean, deal_id::varchar, deal_status::varchar, revenue::decimal(18,2)",
        "attribution_credits": "call_id::varchar, attribution_model::varchar, touch_session_id::varchar, "
                               "touch_index::integer, touch_count::integer, utm_source::varchar, utm_medium::varchar, "
                               "utm_campaign::varchar, campaign_id::varchar, credit::double, revenue_credit::decimal(18,2)",
        "roi_daily": "date::date, attribution_model::varchar, ad_platform::varchar, campaign_id::varchar, "
                     "campaign_name::varchar, utm_source::varchar, utm_medium::varchar, utm_campaign::varchar, "
                     "impressions::bigint, clicks::bigint, cost::decimal(18,2), sessions::bigint, calls::double, "
                     "target_calls::double, unique_target_calls::double, deals_won::double, revenue::decimal(18,2), "
                     "cpc::decimal(18,2), cost_per_target_call::decimal(18,2), cpl::decimal(18,2), cpa::decimal(18,2), "
                     "roi::double, roas::double, is_settled::boolean",
    }
    names = {}
    for name, frame in results.items():
        con.register(f"pandas_{name}_frame", frame)
        columns = ", ".join(f"{c.strip()} as {c.strip().split('::')[0]}" for c in casts[name].split(", "))
        con.execute(f"create or replace temp table pandas_{name} as select {columns} from pandas_{name}_frame")
        con.unregister(f"pandas_{name}_frame")
        names[name] = f"pandas_{name}"
    return names
