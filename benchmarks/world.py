"""A large advertiser's year, generated straight into the landing zone (no HTTP).

The files are exactly what the connectors land (docs/CONTRACTS.md section 3): one
Parquet file per (source, stream, local day), the schemas of
`orchestration/landing/schemas.py`, written by `orchestration/landing/writer.py`,
with `caller_hash` from the same HMAC as `orchestration/landing/pii.py`.

It is not the sandbox's story, only a plausible one, generated with numpy and
pyarrow (no per-row Python): visits with client ids that cluster into journeys of
a couple of weeks, calls caused by visits a few minutes earlier (plus billboard
and untracked calls), repeat callers, deals created after target calls and
closed days later (a deal lands again when it changes), and Direct spend per
campaign-day. A day's data depends only on (seed, date, rates), so a 30-day window
and a one-year window agree on the days they share.
"""

from __future__ import annotations

from decimal import Decimal
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.landing.pii import caller_hash
from orchestration.landing.schemas import (AMOCRM_CONTACTS, AMOCRM_LEADS, CALLTOUCH_CALLS,
                                           YANDEX_DIRECT_CAMPAIGN_STATS, YANDEX_METRIKA_VISITS, Stream)
from orchestration.landing.writer import write_partition

# The full scale of the issue: one year of a large advertiser.
FULL_YEAR = {"visits": 20_000_000, "calls": 1_000_000, "deals": 100_000, "campaigns": 300}
WEEKDAY_FACTOR = np.array([1.12, 1.10, 1.06, 1.04, 0.98, 0.88, 0.82])  # Mon..Sun
CALL_CENTERS = (("74951112233", "Москва", 50), ("78123334455", "Санкт-Петербург", 30))  # seeds/call_centers.csv
BILLBOARD = "74950000001"  # seeds/tracking_number_channels.csv
WON, LOST, OPEN = 142, 143, 13_000_001
DEAL_HORIZON_DAYS = 25  # a deal closes at most this many days after the call that created it
TRAFFIC = (("ad", 0.45), ("organic", 0.25), ("direct", 0.17), ("internal", 0.04), ("referral", 0.06),
           ("social", 0.03))
_EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class Scale:
    """Yearly volumes; a day gets volume / 365 (x weekday factor), whatever the window length."""

    visits: int = FULL_YEAR["visits"]
    calls: int = FULL_YEAR["calls"]
    deals: int = FULL_YEAR["deals"]
    campaigns: int = FULL_YEAR["campaigns"]

    @classmethod
    def fraction(cls, share: float, min_campaigns: int = 20) -> "Scale":
        return cls(
            visits=max(1, round(FULL_YEAR["visits"] * share)),
            calls=max(1, round(FULL_YEAR["calls"] * share)),
            deals=max(1, round(FULL_YEAR["deals"] * share)),
            campaigns=max(min_campaigns, min(FULL_YEAR["campaigns"], round(FULL_YEAR["campaigns"] * share * 20))),
        )


@dataclass
class ScaleWorld:
    end_date: date
    days: int
    scale: Scale = field(default_factory=Scale)
    seed: int = 2026
    tz_name: str = "Europe/Moscow"
    salt: str = "benchmark-salt"

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.tz_name)
        self.start_date = self.end_date - timedelta(days=self.days - 1)
        self._hashes: dict[str, str] = {}
        self._campaigns = self._campaign_table()

    # ---- static -----------------------------------------------------------------------
    def _campaign_table(self) -> dict[str, np.ndarray]:
        n = self.scale.campaigns
        rng = np.random.default_rng([self.seed, 1])
        ids = 70_000_000 + np.arange(n) * 9_973 + rng.integers(0, 9_000, n)
        topics = np.array(["Кухни на заказ", "Шкафы-купе", "Бренд", "Ретаргетинг", "Угловые кухни", "Конкуренты"])
        names = np.array([f"Кампания {i:03d} | {topics[i % len(topics)]}" for i in range(n)], dtype=object)
        # how ads tag utm_campaign: by slug (0), by campaign id (1), by campaign name (2)
        tagging = np.arange(n) % 3
        utm = np.where(tagging == 1, ids.astype(str).astype(object),
                       np.where(tagging == 2, np.char.lower(names.astype(str)).astype(object),
                                np.array([f"camp_{i:03d}" for i in range(n)], dtype=object)))
        return {
            "id": ids,
            "name": names,
            "utm": utm,
            "weight": 1.0 / (np.arange(n) + 1.0) ** 0.8,
            "cpc": rng.uniform(8.0, 110.0, n).round(2),
            "ctr": rng.uniform(0.002, 0.09, n),
        }

    def window(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]

    def _rng(self, day: date, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, (day - _EPOCH).days, stream])

    def _count(self, per_year: int, day: date, rng: np.random.Generator) -> int:
        mean = per_year / 365.0 * WEEKDAY_FACTOR[day.weekday()] / WEEKDAY_FACTOR.mean()
        return int(rng.poisson(mean)) if mean < 1e6 else int(round(mean))

    def _midnight_utc_us(self, day: date) -> int:
        local = datetime.combine(day, datetime.min.time(), tzinfo=self.tz)
        return int(local.timestamp()) * 1_000_000

    # ---- visits -----------------------------------------------------------------------
    def visits(self, day: date) -> dict:
        rng = self._rng(day, 2)
        n = self._count(self.scale.visits, day, rng)
        ordinal = (day - _EPOCH).days
        # journeys: a client's visits fall within two weeks of its "home" day, recent days likelier
        clients_per_day = max(1, self.scale.visits // 365 // 4)
        home = ordinal - np.floor(14 * rng.random(n) ** 2).astype(np.int64)
        client_idx = home * clients_per_day + rng.integers(0, clients_per_day, n)
        has_client = rng.random(n) >= 0.08
        seconds = np.sort(_diurnal_seconds(rng, n))
        kinds = rng.choice(len(TRAFFIC), n, p=[p for _, p in TRAFFIC])
        ad = kinds == 0
        google = ad & (rng.random(n) < 0.06)
        direct_ad = ad & ~google
        camp_w = self._campaigns["weight"] * (rng.random(len(self._campaigns["weight"])) < 0.9)
        camp_w = camp_w / camp_w.sum()
        camp = rng.choice(len(camp_w), n, p=camp_w)
        keeps_click_order = rng.random(n) < 0.9
        visit_idx = np.arange(n, dtype=np.int64)
        return {
            "n": n,
            "day": day,
            "visit_id": (np.int64(ordinal) * 10_000_000 + visit_idx),
            "client_idx": np.where(has_client, client_idx, -1),
            "seconds": seconds,
            "kind": kinds,
            "direct_ad": direct_ad,
            "google": google,
            "campaign": np.where(direct_ad, camp, -1),
            "click_order": direct_ad & keeps_click_order,
        }

    def visits_table(self, v: dict) -> pa.Table:
        n, day = v["n"], v["day"]
        c = self._campaigns
        visit_id = _concat("1", _lpad(pa.array(v["visit_id"]), 18))  # beyond BIGINT, as Metrica's ids are
        client = pa.array(v["client_idx"] + 1_700_000_000_000_000_000, mask=v["client_idx"] < 0)
        client_id = pc.cast(client, pa.string())
        ts = pa.array(self._midnight_local_us(day) + v["seconds"].astype(np.int64) * 1_000_000, pa.timestamp("us"))
        kind_names = pa.array([k for k, _ in TRAFFIC])
        traffic = pc.take(kind_names, pa.array(v["kind"]))
        camp = v["campaign"]
        is_ad, google = v["direct_ad"], v["google"]
        engine = _choose(n, {"ya_direct": is_ad, "google_adwords": google})
        utm_source = _choose(n, {"yandex": is_ad, "google": google, "partner": v["kind"] == 4})
        utm_medium = _choose(n, {"cpc": is_ad | google, "referral": v["kind"] == 4})
        utm_campaign_values = np.where(is_ad, c["utm"][np.maximum(camp, 0)], None)
        utm_campaign_values = np.where(google, "g_search_kitchens", utm_campaign_values)
        utm_campaign = pa.array(utm_campaign_values, pa.string())
        content = pa.array(np.where(is_ad, (camp * 31 + v["seconds"] % 7).astype(str), None), pa.string())
        term = _choose(n, {"кухни на заказ": is_ad & (v["seconds"] % 3 == 0), "шкаф купе": is_ad & (v["seconds"] % 3 == 1)})
        direct_campaign = pa.array(np.where(v["click_order"], c["id"][np.maximum(camp, 0)], 0), pa.int64())
        direct_campaign_id = pc.cast(pc.if_else(pa.array(v["click_order"]), direct_campaign, pa.scalar(None, pa.int64())),
                                     pa.string())
        url = pc.take(pa.array([f"https://example-kuhni.ru/catalog/{i}" for i in range(40)]),
                      pa.array(v["seconds"] % 40))
        # the connector keeps Metrica's raw row only for a row it could not read (CONTRACTS §2): none here
        payload = pa.nulls(n, pa.string())
        columns = {
            "visit_id": visit_id, "client_id": client_id, "started_at_local": ts, "traffic_source": traffic,
            "adv_engine": engine, "utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign,
            "utm_content": content, "utm_term": term, "direct_campaign_id": direct_campaign_id, "start_url": url,
        }
        return self._table(YANDEX_METRIKA_VISITS, columns, payload, day, n)

    # ---- calls ------------------------------------------------------------------------
    def calls(self, day: date, v: dict) -> dict:
        rng = self._rng(day, 3)
        n = self._count(self.scale.calls, day, rng)
        kind = rng.choice(3, n, p=[0.74, 0.06, 0.20])  # 0 caused by a visit, 1 billboard, 2 untracked
        with_client = np.flatnonzero(v["client_idx"] >= 0)
        from_visit = kind == 0
        if len(with_client) == 0:
            from_visit[:] = False
            kind[kind == 0] = 2
        visit_pos = np.where(from_visit, with_client[rng.integers(0, max(1, len(with_client)), n)]
                             if len(with_client) else 0, -1)
        delay = np.minimum(rng.exponential(900.0, n), 6 * 3600).astype(np.int64) + 30
        seconds = np.where(from_visit, np.minimum(v["seconds"][np.maximum(visit_pos, 0)] + delay, 86_399),
                           _diurnal_seconds(rng, n))
        order = np.argsort(seconds, kind="stable")
        kind, visit_pos, seconds, from_visit = kind[order], visit_pos[order], seconds[order], from_visit[order]
        client_idx = np.where(from_visit, v["client_idx"][np.maximum(visit_pos, 0)], -1)
        # callers: the visitor's phone, else someone from the pool; a share call again within weeks
        pool = max(10, int(self.scale.calls * 0.8))
        caller_idx = np.where(from_visit, client_idx % pool, rng.integers(0, pool, n))
        repeat = rng.random(n) < 0.12
        caller_idx = np.where(repeat, (caller_idx // 7) * 7, caller_idx)
        anonymous = rng.random(n) < 0.02
        answered = rng.random(n) < 0.86
        talk = np.where(answered, np.round(rng.lognormal(4.3, 1.0, n)), 0).astype(np.int64)
        wait = rng.integers(2, 60, n)
        center = (rng.random(n) >= 0.6).astype(np.int64)
        operator = np.where(center == 0, rng.integers(0, CALL_CENTERS[0][2], n),
                            CALL_CENTERS[0][2] + rng.integers(0, CALL_CENTERS[1][2], n))
        tracking = rng.integers(0, 30, n)
        ordinal = (day - _EPOCH).days
        return {
            "n": n, "day": day, "kind": kind, "visit_pos": visit_pos, "seconds": seconds, "client_idx": client_idx,
            "caller_idx": caller_idx, "anonymous": anonymous, "answered": answered, "talk": talk, "wait": wait,
            "center": center, "operator": operator, "tracking": tracking,
            "call_id": np.int64(ordinal) * 100_000 + np.arange(1, n + 1, dtype=np.int64),
        }

    def calls_table(self, c: dict, v: dict) -> pa.Table:
        n, day = c["n"], c["day"]
        call_id = pc.cast(pa.array(c["call_id"]), pa.string())
        ts = pa.array(self._midnight_local_us(day) + c["seconds"].astype(np.int64) * 1_000_000, pa.timestamp("us"))
        caller_digits = _caller_digits(c["caller_idx"])
        caller = pc.if_else(pa.array(c["anonymous"]), pa.scalar(None, pa.string()), caller_digits)
        tracking_pool = pa.array([f"7495{(7_000_001 + i * 104_729) % 10_000_000:07d}" for i in range(30)])
        tracking = pc.if_else(pa.array(c["kind"] == 1), BILLBOARD, pc.take(tracking_pool, pa.array(c["tracking"])))
        redirect = pc.take(pa.array([CALL_CENTERS[0][0], CALL_CENTERS[1][0]]), pa.array(c["center"]))
        operators = pa.array([f"Оператор М-{i:02d}" for i in range(CALL_CENTERS[0][2])]
                             + [f"Оператор С-{i:02d}" for i in range(CALL_CENTERS[1][2])])
        answered = pa.array(c["answered"])
        operator = pc.if_else(answered, pc.take(operators, pa.array(c["operator"])), pa.scalar(None, pa.string()))
        from_visit = c["kind"] == 0
        pos = np.maximum(c["visit_pos"], 0)
        visit_tab = self._visit_columns_cache
        mask = pa.array(~from_visit)

        def from_visit_col(name: str) -> pa.Array:
            return pc.if_else(mask, pa.scalar(None, pa.string()), pc.take(visit_tab[name], pa.array(pos)))

        client_id = from_visit_col("client_id")
        utm = {k: from_visit_col(k) for k in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")}
        direct_campaign_id = from_visit_col("direct_campaign_id")
        session = pc.if_else(mask, pa.scalar(None, pa.string()), pc.cast(pa.array(c["call_id"] * 3 + 11), pa.string()))
        source = pc.coalesce(utm["utm_source"], pc.if_else(pa.array(c["kind"] == 1), "billboard", "(direct)"))
        medium = pc.coalesce(utm["utm_medium"], pc.if_else(pa.array(c["kind"] == 1), "offline", "(none)"))
        target_v = c["answered"] & (c["talk"] >= 40)
        recording = pc.if_else(answered, _concat(
            "https://api.calltouch.ru/calls-service/RestAPI/54321/calls-diary/calls/", call_id, "/download"),
            pa.scalar(None, pa.string()))
        payload = _concat('{"callId":', call_id, ',"duration":', pc.cast(pa.array(c["talk"]), pa.string()), "}")
        columns = {
            "call_id": call_id, "started_at_local": ts, "caller_number": caller, "tracking_number": tracking,
            "redirect_number": redirect, "answered": answered, "wait_seconds": pa.array(c["wait"], pa.int64()),
            "talk_seconds": pa.array(c["talk"], pa.int64()), "vendor_is_unique": pa.array(c["caller_idx"] % 3 != 0),
            "vendor_is_target": pa.array(target_v), "vendor_is_unique_target": pa.array(target_v & (c["caller_idx"] % 3 != 0)),
            "operator_name": operator, "session_id": session, "client_id": client_id, "source": source,
            "medium": medium, **utm, "direct_campaign_id": direct_campaign_id, "recording_url": recording,
        }
        e164 = pc.if_else(pa.array(c["anonymous"]), pa.scalar(None, pa.string()), _concat("+", caller_digits))
        return self._table(CALLTOUCH_CALLS, columns, payload, day, n, e164=e164)

    # ---- deals ------------------------------------------------------------------------
    def deals(self, day: date, c: dict) -> dict:
        """Deals opened after this day's target calls; each has versions (updated_at, status)."""
        rng = self._rng(day, 4)
        target = c["answered"] & (c["talk"] >= 30) & ~c["anonymous"]
        expected = self.scale.deals / 365.0 * WEEKDAY_FACTOR[day.weekday()] / WEEKDAY_FACTOR.mean()
        p = min(1.0, expected / max(1, target.sum()))
        chosen = np.flatnonzero(target & (rng.random(c["n"]) < p))
        m = len(chosen)
        call_utc = self._midnight_utc_us(day) + c["seconds"][chosen].astype(np.int64) * 1_000_000
        created = call_utc + rng.integers(5 * 60, 2 * 86_400, m) * 1_000_000
        outcome = rng.choice(3, m, p=[0.45, 0.30, 0.25])  # won, lost, stays open
        closed = created + rng.integers(86_400, (DEAL_HORIZON_DAYS - 3) * 86_400, m) * 1_000_000
        ordinal = (day - _EPOCH).days
        deal_id = np.int64(ordinal) * 10_000 + np.arange(1, m + 1, dtype=np.int64)
        return {
            "deal_id": deal_id, "caller_idx": c["caller_idx"][chosen], "created": created, "closed": closed,
            "outcome": outcome, "price": rng.integers(40, 900, m) * 1_000, "user": c["operator"][chosen],
        }

    def _versions(self, deals: list[dict]) -> dict[date, dict]:
        """Every deal version grouped by the local day of its updated_at (the day it lands)."""
        cols = {k: np.concatenate([d[k] for d in deals]) for k in deals[0]}
        m = len(cols["deal_id"])
        closes = cols["outcome"] < 2
        # version 1: open at creation; version 2: won / lost when it closes
        updated = np.concatenate([cols["created"], cols["closed"][closes]])
        status = np.concatenate([np.full(m, OPEN), np.where(cols["outcome"][closes] == 0, WON, LOST)])
        closed_at = np.concatenate([np.full(m, -1), cols["closed"][closes]])
        pick = np.concatenate([np.arange(m), np.flatnonzero(closes)])
        local_day = _local_days(updated, self.tz_name)
        out: dict[date, dict] = {}
        for d in np.unique(local_day):
            sel = local_day == d
            idx = pick[sel]
            out[_EPOCH + timedelta(days=int(d))] = {
                "deal_id": cols["deal_id"][idx], "caller_idx": cols["caller_idx"][idx], "created": cols["created"][idx],
                "updated": updated[sel], "status": status[sel], "closed": closed_at[sel], "price": cols["price"][idx],
                "user": cols["user"][idx],
            }
        return out

    def leads_table(self, day: date, d: dict) -> pa.Table:
        n = len(d["deal_id"])
        lead_id = pc.cast(pa.array(d["deal_id"]), pa.string())
        contact_id = pc.cast(pa.array(d["deal_id"] + 900_000_000), pa.string())
        utc = pa.timestamp("us", tz="UTC")
        price = pc.cast(pc.cast(pa.array(d["price"], pa.int32()), pa.decimal128(10, 0)), pa.decimal128(18, 6))
        columns = {
            "lead_id": lead_id, "name": _concat("Сделка #", lead_id), "price": price,
            "status_id": pa.array(d["status"], pa.int64()), "pipeline_id": pa.array(np.full(n, 7_001), pa.int64()),
            "responsible_user_id": pc.cast(pa.array(d["user"] + 9_100_001), pa.string()),
            "created_at": pa.array(d["created"], utc), "updated_at": pa.array(d["updated"], utc),
            "closed_at": pa.array(d["closed"], utc, mask=d["closed"] < 0), "is_deleted": pa.array(np.zeros(n, bool)),
            "contact_ids": pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), contact_id),
            "main_contact_id": contact_id,
        }
        payload = _concat('{"id":', lead_id, "}")
        return self._table(AMOCRM_LEADS, columns, payload, day, n)

    def contacts_table(self, day: date, d: dict) -> pa.Table:
        n = len(d["deal_id"])
        contact_id = pc.cast(pa.array(d["deal_id"] + 900_000_000), pa.string())
        digits = _caller_digits(d["caller_idx"])
        # typed by a manager: "8 (916) 123-45-67"
        typed = _concat("8 (", pc.utf8_slice_codeunits(digits, 1, 4), ") ", pc.utf8_slice_codeunits(digits, 4, 7), "-",
                        pc.utf8_slice_codeunits(digits, 7, 9), "-", pc.utf8_slice_codeunits(digits, 9, 11))
        columns = {
            "contact_id": contact_id, "name": _concat("Клиент ", contact_id),
            "updated_at": pa.array(d["created"], pa.timestamp("us", tz="UTC")),
            "phone_index": pa.array(np.zeros(n, np.int64)), "phone_raw": typed,
        }
        payload = _concat('{"id":', contact_id, "}")
        return self._table(AMOCRM_CONTACTS, columns, payload, day, n, e164=_concat("+", digits))

    # ---- spend ------------------------------------------------------------------------
    def spend_table(self, day: date, v: dict) -> pa.Table:
        rng = self._rng(day, 5)
        c = self._campaigns
        n_c = len(c["id"])
        visits = np.bincount(v["campaign"][v["campaign"] >= 0], minlength=n_c)
        active = (visits > 0) | (rng.random(n_c) < 0.3)
        clicks = np.round(visits * rng.uniform(1.05, 1.35, n_c)).astype(np.int64)
        impressions = np.round(clicks / c["ctr"]).astype(np.int64) + rng.integers(0, 50, n_c)
        cost_kop = np.round(clicks * c["cpc"] * rng.uniform(0.9, 1.1, n_c) * 1.22 * 100).astype(np.int64)
        idx = np.flatnonzero(active)
        k = len(idx)
        cost = pa.array([Decimal(int(k)).scaleb(-2) for k in cost_kop[idx]], pa.decimal128(18, 6))  # k rows, not per visit
        columns = {
            "date": pa.array(np.full(k, (day - _EPOCH).days, dtype=np.int32) + _EPOCH_DAYS, pa.date32()),
            "campaign_id": pc.cast(pa.array(c["id"][idx]), pa.string()),
            "campaign_name": pa.array(c["name"][idx], pa.string()),
            "impressions": pa.array(impressions[idx]), "clicks": pa.array(clicks[idx]),
            "cost": pc.cast(cost, pa.decimal128(18, 6)),
        }
        payload = _concat('{"CampaignId":', columns["campaign_id"], "}")
        return self._table(YANDEX_DIRECT_CAMPAIGN_STATS, columns, payload, day, k)

    # ---- assembly ---------------------------------------------------------------------
    def _midnight_local_us(self, day: date) -> int:
        return (day - date(1970, 1, 1)).days * 86_400 * 1_000_000

    def _hash(self, e164: pa.Array) -> pa.Array:
        """caller_hash over the distinct numbers only (HMAC per number, not per row)."""
        distinct = pc.unique(e164.drop_null()).to_pylist()
        for number in distinct:
            if number not in self._hashes:
                self._hashes[number] = caller_hash(number, self.salt)
        keys = pa.array(distinct, pa.string())
        values = pa.array([self._hashes[k] for k in distinct], pa.string())
        return pc.take(values, pc.index_in(e164, value_set=keys))

    def _table(self, stream: Stream, columns: dict, payload: pa.Array, day: date, n: int,
               e164: pa.Array | None = None) -> pa.Table:
        arrays = [columns[f.name] for f in stream.fields]
        if stream.phone_field:
            arrays += [e164, self._hash(e164)]
        landed_at = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=2)
        arrays += [payload, pa.repeat(pa.scalar(day, pa.date32()), n),
                   pa.repeat(pa.scalar(landed_at, pa.timestamp("us", tz="UTC")), n)]
        arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
        return pa.Table.from_arrays([pa.array(a, type=f.type) if not isinstance(a, pa.Array) else a.cast(f.type)
                                     for a, f in zip(arrays, stream.schema)], schema=stream.schema)

    def generate(self, landing_root: Path, days: list[date] | None = None, progress=None) -> dict[str, int]:
        """Write every stream for the window's days (or the given ones) under ``landing_root``."""
        wanted = sorted(days or self.window())
        first = min(wanted) - timedelta(days=DEAL_HORIZON_DAYS)
        wanted_set = set(wanted)
        counts = {s.key: 0 for s in (CALLTOUCH_CALLS, YANDEX_METRIKA_VISITS, YANDEX_DIRECT_CAMPAIGN_STATS,
                                     AMOCRM_LEADS, AMOCRM_CONTACTS)}
        deals: list[dict] = []
        day = first
        while day <= max(wanted):
            v = self.visits(day)
            c = self.calls(day, v)
            deals.append(self.deals(day, c))
            if day in wanted_set:
                vt = self.visits_table(v)
                self._visit_columns_cache = {k: vt.column(k).combine_chunks() for k in (
                    "client_id", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
                    "direct_campaign_id")}
                for stream, table in ((YANDEX_METRIKA_VISITS, vt), (CALLTOUCH_CALLS, self.calls_table(c, v)),
                                      (YANDEX_DIRECT_CAMPAIGN_STATS, self.spend_table(day, v))):
                    write_partition(landing_root, stream, day, table)
                    counts[stream.key] += table.num_rows
                if progress:
                    progress(day)
            day += timedelta(days=1)
        versions = self._versions(deals)
        for day in wanted:
            d = versions.get(day)
            if d is None:
                d = {k: np.array([], dtype=np.int64) for k in ("deal_id", "caller_idx", "created", "updated", "status",
                                                               "closed", "price", "user")}
            for stream, table in ((AMOCRM_LEADS, self.leads_table(day, d)), (AMOCRM_CONTACTS, self.contacts_table(day, d))):
                write_partition(landing_root, stream, day, table)
                counts[stream.key] += table.num_rows
        return counts


_EPOCH_DAYS = (_EPOCH - date(1970, 1, 1)).days


def _diurnal_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after local midnight, busier in the day than at night."""
    hours = rng.normal(14.0, 4.0, n) % 24.0
    return np.minimum((hours * 3600).astype(np.int64), 86_399)


def _caller_digits(idx: np.ndarray) -> pa.Array:
    """'79xxxxxxxxx' for caller index idx (a bijection on 0 .. 10^9 - 1)."""
    scrambled = (idx.astype(np.int64) * 387_420_489 + 12_345) % 1_000_000_000
    return _concat("79", _lpad(pa.array(scrambled), 9))


def _lpad(values: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(values, pa.string()), width, "0")


def _concat(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _choose(n: int, options: dict[str, np.ndarray]) -> pa.Array:
    """A string column: the first option whose mask is true, else NULL."""
    out = np.full(n, None, dtype=object)
    for value, mask in reversed(list(options.items())):
        out = np.where(mask, value, out)
    return pa.array(out, pa.string())


def _local_days(utc_us: np.ndarray, tz_name: str) -> np.ndarray:
    """Days since 2000-01-01 of the local date of each UTC timestamp (microseconds)."""
    local = pc.local_timestamp(pa.array(utc_us, pa.timestamp("us", tz=tz_name)))
    days = pc.cast(pc.cast(local, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
    return days - _EPOCH_DAYS
