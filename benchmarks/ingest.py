"""Ingest throughput: the real connectors against the sandbox over loopback, all sources in parallel.

`python -m benchmarks.ingest --url URL --start D --end D [--repeat N]` (the sandbox runs in its own
process, started by the benchmark) lands every stream of those days into a temporary landing zone
through the same calls the landing assets make (connector -> build_table -> write_partition), one
thread per source. A first pass warms the sandbox (it builds its world lazily); the timed passes
print records per second as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from connectors.sandbox import SandboxCredentials, sandbox_env
from orchestration.landing.schemas import (AMOCRM_CONTACTS, AMOCRM_LEADS, CALLTOUCH_CALLS,
                                           YANDEX_DIRECT_CAMPAIGN_STATS, YANDEX_METRIKA_VISITS)
from orchestration.landing.writer import build_table, read_partition, write_partition


def _clients(url: str):
    import os

    from orchestration.amocrm.resources import AmoCrmResource
    from orchestration.calltouch.resources import CalltouchResource
    from orchestration.yandex_direct.resources import YandexDirectResource
    from orchestration.yandex_metrika.resources import YandexMetrikaResource

    env = sandbox_env(url, SandboxCredentials())
    os.environ.update(env)
    return env, {
        "calltouch": CalltouchResource(site_id=env["CALLTOUCH_SITE_ID"], api_token=env["CALLTOUCH_API_TOKEN"]),
        "yandex_direct": YandexDirectResource(token=env["YANDEX_DIRECT_TOKEN"]),
        "yandex_metrika": YandexMetrikaResource(token=env["YANDEX_METRIKA_TOKEN"],
                                                counter_id=env["YANDEX_METRIKA_COUNTER_ID"]),
        "amocrm": AmoCrmResource(api_url=env["AMOCRM_API_URL"], token=env["AMOCRM_TOKEN"]),
    }


def _land_source(source: str, resource, days: list[date], root: Path, salt: str) -> int:
    rows = 0
    for day in days:
        if source == "calltouch":
            parts = [(CALLTOUCH_CALLS, resource.client().calls(day))]
        elif source == "yandex_direct":
            parts = [(YANDEX_DIRECT_CAMPAIGN_STATS, resource.client().campaign_stats(day))]
        elif source == "yandex_metrika":
            parts = [(YANDEX_METRIKA_VISITS, resource.client().visits_table(day))]
        else:
            parts = [(AMOCRM_LEADS, resource.client().leads(day))]
        for stream, records in parts:
            table = build_table(stream, records, day, salt=salt, region="RU")
            rows += write_partition(root, stream, day, table).rows
        if source == "amocrm":
            landed = read_partition(root, AMOCRM_LEADS, day)
            ids = sorted({cid for row in landed.column("contact_ids").to_pylist() for cid in (row or [])},
                         key=lambda cid: (len(cid), cid))
            records = resource.client().contacts(ids) if ids else []
            rows += write_partition(root, AMOCRM_CONTACTS, day,
                                    build_table(AMOCRM_CONTACTS, records, day, salt=salt, region="RU")).rows
    return rows


def land_all(url: str, days: list[date], root: Path) -> tuple[int, float]:
    env, clients = _clients(url)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(_land_source, s, r, days, root, env["ATTRIBUTION_PII_SALT"]) for s, r in clients.items()]
        rows = sum(f.result() for f in futures)
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without-rate-limits", action="store_true",
                        help="switch the vendors' request quotas off (the sandbox does not enforce them): "
                             "what the client itself can parse and land per second")
    args = parser.parse_args()
    if args.without_rate_limits:
        from connectors.ratelimit import RateLimiter

        RateLimiter.acquire = lambda self: None  # every source's limiter lets every request through
    first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        land_all(args.url, days, Path(tmp) / "warmup")
        runs = [land_all(args.url, days, Path(tmp) / f"run{i}") for i in range(args.repeat)]
    rates = [rows / seconds for rows, seconds in runs]
    print(json.dumps({"records": runs[0][0], "seconds": [s for _, s in runs],
                      "records_per_s": statistics.median(rates)}))


if __name__ == "__main__":
    main()
