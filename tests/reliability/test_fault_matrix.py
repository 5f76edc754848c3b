"""Transient faults never change a number, and a source that stays down fails the run in bounded time.

Each sandbox fault kind alone (at a high rate) lands exactly the rows of the fault-free run, row
for row (the marts are a deterministic function of the landing files); all kinds mixed at 30% of
requests give a full run (land, dbt build, publish) whose landing files and marts equal the
fault-free run's, row for row (test_crash_safety also runs the CLI against 30% faults). A request
to a source that stays down gives up within ATTRIBUTION_HTTP_MAX_SECONDS, and the run fails with one
line naming the source, publishing nothing.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from connectors.calltouch import CalltouchClient, CalltouchConfig
from connectors.errors import SourceUnavailableError
from orchestration.landing.http import http_settings
from orchestration.runner import RunError
from tests.reliability.pipeline import (END, SECRETS, SLOW_SECONDS, START, compare, copy_home, landing_snapshot,
                                        marts_snapshot, run_env, run_pipeline, sandbox, total_rows)
from tests.support import environment

pytestmark = pytest.mark.slow

SINGLE_KINDS = {  # name: (sandbox fault kinds, share of requests that fail); a slow answer costs a read timeout
    "429": (["429"], 0.4),
    "5xx": (["500", "502", "503"], 0.4),
    "drop": (["drop"], 0.4),
    "slow": (["slow"], 0.1),
    "truncate": (["truncate"], 0.4),
}
LABELS = {
    "429": "429 Too Many Requests with a Retry-After wait hint", "5xx": "HTTP 500, 502 and 503",
    "drop": "connection dropped without an answer", "slow": "answer slower than the read timeout (0.5 s here)",
    "truncate": "body cut off after half its Content-Length",
}
FAULT_DAYS = [START + timedelta(days=1), END]  # two days of the window (one with a daylight-saving change)


@pytest.mark.parametrize("name", list(SINGLE_KINDS))
def test_each_fault_kind_alone_lands_the_rows_of_a_fault_free_run(name, tmp_path, world, baseline, homes,
                                                                  reliability):
    kinds, rate = SINGLE_KINDS[name]
    homes.append(tmp_path)
    started = time.monotonic()
    # a slow answer costs one read timeout: shorter ones here (loopback answers take milliseconds)
    timeouts = {"ATTRIBUTION_HTTP_TIMEOUT": "0.5"} if name == "slow" else {}
    with sandbox(world, fault_rate=rate, fault_kinds=kinds, fault_seed=11, slow_seconds=0.9 if timeouts else SLOW_SECONDS) \
            as server:
        run_pipeline(tmp_path, server.url, FAULT_DAYS[0], FAULT_DAYS[-1], build=False, **timeouts)
        stats = server.stats
    reliability.timed(f"landing two days with {name} faults at {rate:.0%}", time.monotonic() - started)
    injected = sum(stats["faults"].get(kind, 0) for kind in kinds)
    reference = {k: v for k, v in baseline.landing.items() if k.endswith(tuple(str(d) for d in FAULT_DAYS))}
    diff = compare(reference, landing_snapshot(tmp_path), ordered=True)
    reliability.record("faults", f"{LABELS[name]} (alone, {rate:.0%} of requests, {len(FAULT_DAYS)} days landed)",
                       f"{injected} faults in {stats['requests']} requests",
                       f"every landing file equal to the fault-free run, row for row ({total_rows(reference)} rows)"
                       if diff.equal else diff.detail, diff.lost)
    assert injected > 0 and all(stats["faults"].get(kind) for kind in kinds), stats["faults"]
    assert diff.equal, diff.detail


def test_the_same_range_again_under_30_percent_mixed_faults_publishes_identical_marts(tmp_path, baseline, world,
                                                                                     homes, reliability):
    """Two claims, one run: all fault kinds mixed at 30% of requests change no landed row and no mart, and
    running the same range a second time (every partition re-landed, the warehouse rebuilt) neither
    duplicates nor loses a row. Landing and marts are both compared, so a failure says which claim broke."""
    home = copy_home(baseline.home, tmp_path / "home")
    homes.append(home)
    started = time.monotonic()
    with sandbox(world, fault_rate=0.3, fault_seed=23) as server:
        run_pipeline(home, server.url)
        stats = server.stats
    reliability.timed("the same range again, all faults mixed at 30%", time.monotonic() - started)
    landing = compare(baseline.landing, landing_snapshot(home), ordered=True)
    marts = compare(baseline.marts, marts_snapshot(home / "marts.duckdb"))
    faults = stats["faults"]
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(faults.items()))
    reliability.record("faults", "all kinds mixed, 30% of requests: the same range run a second time",
                       f"{sum(faults.values())} faults in {stats['requests']} requests ({kinds})",
                       "every landing file and every mart equal to the fault-free run, row for row "
                       f"({total_rows(baseline.marts)} mart rows)" if marts.equal and landing.equal
                       else f"{landing.detail} {marts.detail}", marts.lost + landing.lost)
    reliability.record("idempotency", f"the same range twice ({START} .. {END}; land, build, publish; the second "
                                      "run under 30% faults)", "2 runs",
                       "every mart equal to one run, row for row: no duplicate, no loss" if marts.equal
                       else marts.detail, marts.lost)
    assert len(faults) >= 5 and sum(faults.values()) >= 10, faults
    assert landing.equal, landing.detail
    assert marts.equal, marts.detail


OUTAGES = {"503": "answers HTTP 503 to every request", "drop": "drops every connection",
           "slow": "never answers within the read timeout"}
BUDGET = 3.0  # ATTRIBUTION_HTTP_MAX_SECONDS in these tests


def _down_client(server):
    return CalltouchClient(CalltouchConfig(site_id=SECRETS.calltouch_site_id, api_token=SECRETS.calltouch_token,
                                           base_url=server.url, requests_per_second=None), http_settings())


@pytest.mark.parametrize("kind", list(OUTAGES))
def test_a_request_to_a_source_that_stays_down_gives_up_within_the_retry_budget(kind, tmp_path, world, messages,
                                                                                reliability):
    with sandbox(world, outage={"calltouch": kind}, slow_seconds=BUDGET + 2) as server, \
            environment(run_env(server.url, tmp_path, ATTRIBUTION_HTTP_MAX_SECONDS=str(BUDGET))):
        client = _down_client(server)
        started = time.monotonic()
        with pytest.raises(SourceUnavailableError) as info:
            list(client.calls(END))
        seconds = time.monotonic() - started
        refused = server.stats["outage"].get(kind, 0)
    messages.append(str(info.value))
    reliability.timed(f"one request to a source that stays down ({kind})", seconds)
    reliability.record("outage", f"Calltouch {OUTAGES[kind]}", f"{refused} requests refused",
                       f"the request gave up after {str(info.value).split('after ')[1].split(' (')[0]} "
                       f"(budget: {client.http.settings.max_attempts} attempts or ATTRIBUTION_HTTP_MAX_SECONDS = "
                       f"{BUDGET:.0f} s) with a SourceUnavailableError naming calltouch", 0)
    assert seconds <= BUDGET + 0.5, f"the request took {seconds:.1f} s, over its {BUDGET} s budget"
    assert str(info.value).startswith("calltouch: the API stayed unavailable after ")
    assert refused >= 2, "the request should have been retried"


def test_a_run_with_a_source_that_stays_down_fails_with_one_line_and_publishes_nothing(tmp_path, baseline, world,
                                                                                      homes, messages, reliability):
    home = copy_home(baseline.home, tmp_path / "home")
    homes.append(home)
    before = {p: p.read_bytes() for p in [home / "marts.duckdb", *(home / "landing").rglob("*.parquet")]}
    with sandbox(world, outage={"calltouch": "slow"}, slow_seconds=BUDGET + 2) as server:
        started = time.monotonic()
        with pytest.raises(RunError) as info:
            run_pipeline(home, server.url, sources=["calltouch"], ATTRIBUTION_HTTP_MAX_SECONDS=str(BUDGET))
        seconds = time.monotonic() - started
    message = str(info.value)
    messages.append(message)
    reliability.timed("run with a source that stays down (slow)", seconds)
    reliability.record("outage", "`run --source calltouch` while Calltouch never answers", "1 run",
                       f"failed with one line \"{message.split(' (last error')[0]}\"; landed partitions and "
                       "marts.duckdb unchanged", 0)
    assert message.startswith("calltouch: the API stayed unavailable after ") and "Fix: " in message
    assert "\n" not in message and SECRETS.calltouch_token not in message
    assert seconds <= BUDGET + 60, f"the failing run took {seconds:.0f} s"
    changed = [str(p) for p, data in before.items() if p.read_bytes() != data]
    assert not changed, f"a failed run changed {changed}"
