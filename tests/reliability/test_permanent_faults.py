"""A permanent fault is reported, not retried, and changes nothing: a rejected or expired token (each
vendor's own answer), a site, counter or client login that does not exist, an unpaid CRM account, a
missing PII salt. `call-attribution run` prints one line naming the source and the remedy and exits
non-zero; no partition is marked materialized; landed files and published marts stay as they were."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import pytest
from typer.testing import CliRunner

from connectors.sandbox import SandboxCredentials
from orchestration.cli import app
from tests.reliability.pipeline import END, SECRET_VALUES, SECRETS, START, copy_home, run_env, sandbox

pytestmark = pytest.mark.slow

WRONG = "WRONG-token-5e8c1d"
CASES = [  # (id, what the doc calls it, source, env changes, unpaid CRM, text the remedy must name)
    ("calltouch-token", "Calltouch token rejected (HTTP 401 Invalid clientApiId)", "calltouch",
     {"CALLTOUCH_API_TOKEN": f"ct-{WRONG}"}, False, "CALLTOUCH_API_TOKEN"),
    ("direct-token", "Yandex Direct OAuth token rejected (HTTP 400, error_code 53)", "yandex_direct",
     {"YANDEX_DIRECT_TOKEN": f"dir-{WRONG}"}, False, "YANDEX_DIRECT_TOKEN"),
    ("metrika-token", "Yandex Metrica OAuth token rejected (HTTP 401 unauthorized)", "yandex_metrika",
     {"YANDEX_METRIKA_TOKEN": f"ym-{WRONG}"}, False, "YANDEX_METRIKA_TOKEN"),
    ("amocrm-token", "amoCRM access token invalid or expired (HTTP 401)", "amocrm",
     {"AMOCRM_TOKEN": f"amo-{WRONG}"}, False, "AMOCRM_TOKEN"),
    ("calltouch-site", "Calltouch site id that does not exist (HTTP 404)", "calltouch",
     {"CALLTOUCH_SITE_ID": "999999"}, False, "CALLTOUCH_SITE_ID"),
    ("metrika-counter", "Yandex Metrica counter id that does not exist (HTTP 403 access_denied)", "yandex_metrika",
     {"YANDEX_METRIKA_COUNTER_ID": "1"}, False, "YANDEX_METRIKA_COUNTER_ID"),
    ("direct-login", "Yandex Direct client login that does not exist (error_code 8800)", "yandex_direct",
     {"YANDEX_DIRECT_CLIENT_LOGIN": "nobody"}, False, "YANDEX_DIRECT_CLIENT_LOGIN"),
    ("amocrm-unpaid", "amoCRM account not paid (HTTP 402)", "amocrm", {}, True, "renew the amoCRM subscription"),
    ("pii-salt", "ATTRIBUTION_PII_SALT not set", None, {"ATTRIBUTION_PII_SALT": None}, False,
     "ATTRIBUTION_PII_SALT"),
]


def _digests(home: Path) -> dict[str, str]:
    files = [*sorted((home / "landing").rglob("*.parquet")), home / "marts.duckdb"]
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _materializations(home: Path, source: str | None) -> tuple[int, list[dg.DagsterRunStatus]]:
    """Materializations recorded for the source's landing assets, and the status of every run (newest first)."""
    from dagster._core.instance.ref import InstanceRef

    from orchestration.landing.registry import landing_keys

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster"))) as instance:
        count = sum(len(instance.fetch_materializations(key, limit=10_000).records)
                    for key in landing_keys([source] if source else None))
        statuses = [r.dagster_run.status for r in instance.get_run_records()]
    return count, statuses


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory, baseline, homes) -> Path:
    """One copy of the reference run's home for every case: each case checks that it changed nothing."""
    home = copy_home(baseline.home, tmp_path_factory.mktemp("permanent") / "home")
    homes.append(home)
    return home


@pytest.fixture(scope="module")
def unpaid_server(world):
    with sandbox(world, credentials=SandboxCredentials(**{**SECRETS.__dict__, "amocrm_paid": False})) as server:
        yield server


@pytest.mark.parametrize(("case", "label", "source", "changes", "unpaid", "remedy"), CASES, ids=[c[0] for c in CASES])
def test_a_permanent_fault_prints_one_line_exits_non_zero_and_changes_nothing(
        case, label, source, changes, unpaid, remedy, shared_home, clean_server, unpaid_server, messages,
        reliability):
    home = shared_home
    before, (materialized, runs) = _digests(home), _materializations(home, source)
    server = unpaid_server if unpaid else clean_server
    env = {**run_env(server.url, home), **changes, "DAGSTER_HOME": None}
    args = ["run", "--start", START.isoformat(), "--end", END.isoformat()] + (["--source", source] if source else [])
    result = CliRunner().invoke(app, args, env=env)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    message = errors[0] if errors else result.stderr
    messages.append(message)
    after, (materialized_after, runs_after) = _digests(home), _materializations(home, source)
    unchanged = after == before and materialized_after == materialized
    reliability.record("permanent", label, "1 run",
                       f"exit {result.exit_code}; one line: \"{message.removeprefix('error: ').split(' (details:')[0]}\"; "
                       + ("no partition materialized, landing files and marts.duckdb unchanged" if unchanged
                          else "SOMETHING CHANGED"), 0 if unchanged else "changed")
    assert result.exit_code == 1, result.stderr
    assert len(errors) == 1, result.stderr
    assert message.startswith(f"error: {source}: " if source else "error: ") and "Fix" in message, message
    assert remedy in message
    assert not any(secret in message for secret in (*SECRET_VALUES, WRONG))
    assert after == before, "landed files or published marts changed"
    assert materialized_after == materialized, "a partition was marked materialized"
    if source:  # the run started and failed; the salt check stops before any run
        assert len(runs_after) == len(runs) + 1 and runs_after[0] == dg.DagsterRunStatus.FAILURE
    else:
        assert len(runs_after) == len(runs)
