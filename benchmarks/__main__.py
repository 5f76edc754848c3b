"""`python -m benchmarks [--scale full|small|tiny|<share>]`: the numbers of BENCHMARKS.md.

A generated world (benchmarks/world.py) of `--history-days` days is landed straight into
benchmarks/.work/<scale>/ (reused while its spec is unchanged), then, each the median of
`--repeat` runs (the daily run: `--daily-repeat`, 5 by default):

  full_build_s      dbt build of every model, mart and test over the history (--full-refresh, warm files)
  core_run_s        dbt run of the models fct_calls, attribution_credits and roi_daily depend on
  tests_s           dbt test (the build's data and unit tests, apart)
  reference_sql_s   benchmarks/reference.sql on the same landing files (its rows are checked equal to the marts')
  pandas_s          benchmarks/analyst_pandas.py, the same results in plain pandas (checked equal too)
  daily_run_s       one new day through the refresh job's warehouse part (`call-attribution run` minus landing),
                    on the full history; daily_run_s_30d_history the same day on 30 days of history
  ingest_records_per_s  the real connectors against the sandbox over loopback, all sources in parallel
  peak_rss_mb_*     the build's and the landing's peak resident memory (process tree)

What is compared runs in turn within each repeat (the core run and the reference; the daily run on
a year and on 30 days), so that a drift of the machine's speed is not taken for a ratio.

It writes benchmarks/results.json (one entry per scale) and the table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from orchestration.warehouse.publish import kept_signatures, spare_path

from . import analyst_pandas, reference
from .dbt_runner import dbt, measure
from .layout import NEW_DAY, ensure_landing, plan_for
from .report import write_report

HERE = Path(__file__).resolve().parent
AS_OF = (NEW_DAY + timedelta(days=1)).isoformat()
CORE_SELECTION = ["+fct_calls", "+attribution_credits", "+roi_daily"]
STREAM_DIRS = ("calltouch/calls", "yandex_direct/campaign_stats", "yandex_metrika/visits", "amocrm/leads",
               "amocrm/contacts")


def log(message: str) -> None:
    print(f"[benchmark {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _remove_day(landing: Path, day: date) -> None:
    for stream in STREAM_DIRS:
        (landing / stream / f"{day.isoformat()}.parquet").unlink(missing_ok=True)


def _add_day(source: Path, landing: Path, day: date) -> None:
    for stream in STREAM_DIRS:
        target = landing / stream / f"{day.isoformat()}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / stream / f"{day.isoformat()}.parquet", target)


def _top_nodes(nodes: dict[str, float], n: int = 8) -> dict[str, float]:
    ranked = sorted(nodes.items(), key=lambda kv: -kv[1])[:n]
    return {k.split(".", 2)[-1]: round(v, 2) for k, v in ranked}


def measure_builds(home: Path, repeat: int, results: dict) -> None:
    """The core run and the reference, then the full build and the tests, in turn within each repeat:
    the core run and the reference it is compared with share the machine's state (this machine's speed
    drifts by tens of percent within minutes; measured one after the other, a drift became the ratio).
    The full build comes last, so the warehouse the daily runs start from is a whole build, as in daily
    use (after a core run, the models outside it would be older than the base tables)."""
    vars_ = {"as_of_date": AS_OF}
    builds, cores, tests, references = [], [], [], []
    con = None
    dbt(home, "seed", vars=vars_)  # the core run reads the seeds (a new home has none before its first build)
    for i in range(repeat):
        log(f"dbt run --full-refresh --select core ({i + 1}/{repeat})")
        cores.append(dbt(home, "run", "--full-refresh", "--select", *CORE_SELECTION, vars=vars_))
        log(f"  {cores[-1].seconds:.1f} s")
        if con is not None:
            con.close()
        con = reference.connect(threads=int(os.environ.get("ATTRIBUTION_DUCKDB_THREADS", "2")),
                                memory_limit=os.environ.get("ATTRIBUTION_DUCKDB_MEMORY_LIMIT", "1536MB"))
        references.append(reference.run(con, home / "landing", AS_OF))
        log(f"reference SQL ({i + 1}/{repeat}): {references[-1]:.2f} s")
        log(f"dbt build --full-refresh ({i + 1}/{repeat})")
        builds.append(dbt(home, "build", "--full-refresh", vars=vars_))
        log(f"  {builds[-1].seconds:.1f} s, peak RSS {builds[-1].peak_rss_mb:.0f} MB")
        log(f"dbt test ({i + 1}/{repeat})")
        tests.append(dbt(home, "test", vars=vars_))
    comparison = reference.compare(con, home / "warehouse.duckdb")  # the marts of the last full build
    con.close()
    results["full_build_s"] = median([b.seconds for b in builds])
    results["core_run_s"] = median([c.seconds for c in cores])
    results["core_run_dbt_elapsed_s"] = median([c.extra.get("elapsed") or c.seconds for c in cores])
    results["tests_s"] = median([t.seconds for t in tests])
    results["peak_rss_mb_build"] = round(max(b.peak_rss_mb for b in builds))
    results["slowest_models_full_build_s"] = _top_nodes(builds[-1].extra.get("nodes", {}))
    results["reference_sql_s"] = median(references)
    results["reference_equals_marts"] = reference.equal(comparison)
    results["reference_comparison"] = comparison
    results["ratio_vs_reference"] = round(results["core_run_s"] / results["reference_sql_s"], 2)
    results["ratio_vs_reference_per_repeat"] = [round(c.seconds / r, 2) for c, r in zip(cores, references)]


def measure_pandas(home: Path, repeat: int, results: dict) -> None:
    times = []
    frames = None
    for i in range(repeat):
        seconds, frames = analyst_pandas.run(home / "landing", AS_OF)
        times.append(seconds)
        log(f"pandas ({i + 1}/{repeat}): {seconds:.1f} s")
    con = reference.connect()
    comparison = reference.compare(con, home / "warehouse.duckdb", analyst_pandas.register(con, frames))
    con.close()
    results["pandas_s"] = median(times)
    results["pandas_equals_marts"] = reference.equal(comparison)
    results["speedup_vs_pandas"] = round(results["pandas_s"] / results["core_run_s"], 2)


def _prepare_daily(home: Path) -> None:
    """What every daily run finds in production, not timed: dbt's manifest parsed for this home, the
    marts published by the run before and the spare the publish before that left (publish.py). Here
    the spare holds the same rows as the published file; in production it is one run older, and a
    daily publish also writes the rows the run before changed (BENCHMARKS.md)."""
    env = dict(os.environ, ATTRIBUTION_HOME=str(home))
    subprocess.run([sys.executable, "-c", "from orchestration.warehouse.project import ensure_manifest; "
                    "ensure_manifest()"], check=True, cwd=HERE.parent, env=env)
    for _ in range(2):
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from orchestration.warehouse.publish import publish_marts; "
                        "publish_marts(Path(sys.argv[1]) / 'warehouse.duckdb', Path(sys.argv[1]) / 'marts.duckdb')",
                        str(home)], check=True, cwd=HERE.parent, env=env)


class _DailyStart:
    """A home's starting state for the daily runs (the warehouse, the published file, its spare and
    the signatures kept beside them), saved once and restored before every run (not timed), so
    that each run adds the day anew."""

    def __init__(self, home: Path):
        self.home = home
        _prepare_daily(home)
        self.saved = home / ".before-daily"
        self.saved.mkdir(exist_ok=True)
        published = home / "marts.duckdb"
        self.files = ["warehouse.duckdb", published.name, spare_path(published).name,
                      *(p.name for p in kept_signatures(published))]
        for name in self.files:
            shutil.copy2(home / name, self.saved / name)

    def restore(self) -> None:
        self._put_back(shutil.copy2)
        os.sync()  # a daily run does not start with gigabytes of copies still being written out

    def remove(self) -> None:
        """Leave the home as it started (a whole build of its history, published), the saved files moved
        back rather than copied, so that it does not keep the last run's day in its warehouse: a daily
        run started from there would find that day built already."""
        if all((self.saved / name).exists() for name in self.files):
            self._put_back(os.replace)
        shutil.rmtree(self.saved, ignore_errors=True)

    def _put_back(self, transfer) -> None:
        """The saved files over the home's (`transfer`: copy or move), after what the last run left:
        the published file's signatures, the spare (a link to the file put back next), the WALs."""
        for kept in kept_signatures(self.home / "marts.duckdb"):
            kept.unlink()
        spare_path(self.home / "marts.duckdb").unlink(missing_ok=True)
        for name in self.files:
            Path(f"{self.home / name}.wal").unlink(missing_ok=True)
            transfer(self.saved / name, self.home / name)


def _daily_once(home: Path) -> tuple[float, dict, dict]:
    """`call-attribution run --build-only` for the new day, in a new process (the whole process is
    timed: Python and Dagster start-up, dbt, publishing): its seconds, the phases in its log
    (`daily_phases`) and its parts from its last line (`daily_split`)."""
    env = dict(os.environ, ATTRIBUTION_HOME=str(home), DAGSTER_HOME=str(home / "dagster"))
    env.setdefault("ATTRIBUTION_TIMEZONE", "Europe/Moscow")
    day = NEW_DAY.isoformat()
    m = measure([sys.executable, "-m", "orchestration.cli", "run", "--start", day, "--end", day, "--build-only"],
                env=env, cwd=HERE.parent)
    if m.returncode != 0:
        raise RuntimeError(f"daily run failed:\n{m.output[-4000:]}")
    split = daily_split(m.output, m.seconds)
    if not split:
        raise RuntimeError(f"the daily run's last line does not give its dbt build and publishing times:\n{m.output[-2000:]}")
    return m.seconds, daily_phases(home), split


def daily_split(output: str, seconds: float) -> dict:
    """The run's own account of its time (its last line: 'done in ... (dbt build B s; publishing P s)'):
    the dbt build step and publishing as Dagster timed them (to a tenth of a second), and the rest of
    the process, derived: its wall time less those two (Python, Dagster and dbt start-up before the
    step, creating the run, recording events, the report). {} when the line does not give them."""
    last = output[output.rfind("done in"):]  # the last line and what follows it (\s: the console may wrap it)
    build = re.search(r"dbt\s+build\s+(\d+\.\d+)\s+s", last)
    publish = re.search(r"publishing\s+(\d+\.\d+)\s+s", last)
    if not (build and publish):
        return {}
    split = {"build_step_s": float(build.group(1)), "publish_s": float(publish.group(1))}
    split["other_s"] = round(seconds - split["build_step_s"] - split["publish_s"], 1)
    return split


def median_run_parts(runs: list[float], parts: list[dict]) -> dict:
    """The parts of the run whose time is the median (the upper middle one for an even count), so that
    they add up to the run the table reports rather than each being a median of its own."""
    middle = sorted(range(len(runs)), key=lambda i: runs[i])[len(runs) // 2]
    return parts[middle]


def _daily(homes: dict[str, Path], repeat: int) -> dict[str, tuple[float, dict, list[float], list[dict]]]:
    """The daily run on each home, the homes in turn within each repeat: the runs compared share the
    machine's state (its speed drifts within minutes). Returns each home's median, the last run's phases
    (from its log), every run's time and every run's parts (`daily_split`)."""
    starts = {}
    try:
        for label, home in homes.items():
            starts[label] = _DailyStart(home)
        runs: dict[str, list[float]] = {label: [] for label in homes}
        phases: dict[str, dict] = {}
        parts: dict[str, list[dict]] = {label: [] for label in homes}
        for i in range(repeat):
            for label, home in homes.items():
                starts[label].restore()
                seconds, phases[label], split = _daily_once(home)
                runs[label].append(seconds)
                parts[label].append(split)
                log(f"daily run {label} ({i + 1}/{repeat}): {seconds:.1f} s {parts[label][-1]} {phases[label]}")
    finally:
        for start in starts.values():
            start.remove()
    return {label: (median(runs[label]), phases[label], runs[label], parts[label]) for label in homes}


def daily_phases(home: Path) -> dict:
    """Where the last run's time went, from its log (dbt's own lines: each node's seconds, its total)."""
    log_file = max((home / "logs").glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    text = log_file.read_text(encoding="utf-8", errors="replace")
    nodes: dict[str, float] = {}
    for match in re.finditer(r"\d+ of \d+ (?:OK created sql \w+ model|PASS|OK loaded seed file) (\S+) .*? in (\d+\.\d+)s", text):
        nodes[match.group(1)] = float(match.group(2))
    finished = re.search(r"Finished running .* in .*?\((\d+\.\d+)s\)", text)
    tests = sum(v for k, v in nodes.items() if "." not in k or k.split(".")[0] not in {"staging", "intermediate", "marts", "seeds"})
    return {
        "dbt_elapsed_s": float(finished.group(1)) if finished else None,
        "dbt_nodes": len(nodes),
        "dbt_tests_s": round(tests, 2),
        "slowest_nodes_s": dict(sorted(nodes.items(), key=lambda kv: -kv[1])[:8]),
    }


def measure_daily(plan, year: Path, repeat: int, results: dict, with_30d: bool = True) -> None:
    newday = plan.root / "newday"
    ensure_landing(plan, newday, [NEW_DAY], log=log)
    month = plan.root / "month"
    if with_30d:
        ensure_landing(plan, month, plan.history()[-30:], log=log)
        _remove_day(month / "landing", NEW_DAY)
        log("month: full build of 30 days of history")
        dbt(month, "build", "--full-refresh", "--exclude", "resource_type:test", "resource_type:unit_test",
            vars={"as_of_date": AS_OF})
        _add_day(newday / "landing", month / "landing", NEW_DAY)
    _add_day(newday / "landing", year / "landing", NEW_DAY)
    try:
        measured = _daily({"year": year, **({"30 days": month} if with_30d else {})}, repeat)
        results["daily_run_s"], results["daily_run_phases"], year_runs, year_parts = measured["year"]
        results["daily_run_parts"] = median_run_parts(year_runs, year_parts)
        results["daily_run_parts_per_repeat"] = year_parts
        if with_30d:
            results["daily_run_s_30d_history"], results["daily_run_phases_30d"], month_runs, month_parts = measured["30 days"]
            results["daily_run_parts_30d"] = median_run_parts(month_runs, month_parts)
            results["daily_run_parts_30d_per_repeat"] = month_parts
            # each repeat's pair ran back to back, on the same machine state: the growth with history, apart from drift
            results["daily_history_ratio_per_repeat"] = [round(y / m, 2) for y, m in zip(year_runs, month_runs)]
    finally:  # the homes keep their history only: the next benchmark adds the day again
        _remove_day(year / "landing", NEW_DAY)
        if with_30d:
            _remove_day(month / "landing", NEW_DAY)
    if with_30d:
        results["daily_history_ratio"] = round(results["daily_run_s"] / results["daily_run_s_30d_history"], 2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_ingest(share: float, repeat: int, days: int, results: dict, work_dir: Path) -> None:
    port = _free_port()
    end = NEW_DAY
    start = end - timedelta(days=days - 1)
    home = work_dir / "ingest-sandbox"
    env = dict(os.environ, ATTRIBUTION_HOME=str(home))
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "sandbox", "--port", str(port), "--days", str(days),
         "--end-date", end.isoformat(), "--scale", str(share)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        data, unthrottled = {}, {}
        for quotas in (True, False):
            m = measure([sys.executable, "-m", "benchmarks.ingest", "--url", f"http://127.0.0.1:{port}",
                         "--start", start.isoformat(), "--end", end.isoformat(), "--repeat", str(repeat),
                         *([] if quotas else ["--without-rate-limits"])],
                        cwd=HERE.parent)
            if m.returncode != 0:
                raise RuntimeError(f"ingest failed:\n{m.output[-4000:]}")
            if quotas:
                data, peak = json.loads(m.output.strip().splitlines()[-1]), m.peak_rss_mb
            else:
                unthrottled = json.loads(m.output.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["ingest_records_per_s"] = round(data["records_per_s"])
    results["ingest_records_per_s_without_quotas"] = round(unthrottled["records_per_s"])
    results["ingest_records"] = data["records"]
    results["ingest_sandbox_scale"] = share
    results["peak_rss_mb_landing"] = round(peak)
    log(f"ingest: {data}; without the vendors' quotas: {unthrottled}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", help="full (20M visits a year), small, tiny, or a share of full")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is reported)")
    parser.add_argument("--pandas-repeat", type=int, default=None, help="runs of the pandas version (default: --repeat)")
    parser.add_argument("--daily-repeat", type=int, default=5,
                        help="runs of the daily measurement, each a year then 30 days (default 5: a run takes "
                             "seconds, and the machine's speed drifts between runs by more than the ratio's margin)")
    parser.add_argument("--history-days", type=int, default=365)
    parser.add_argument("--ingest-days", type=int, default=3, help="sandbox days landed by the ingest measurement")
    # 29: a day of the full-scale world (20 M visits a year = ~55,000 a day; the sandbox's scale 1 has ~1,900)
    parser.add_argument("--ingest-scale", type=float, default=29.0,
                        help="sandbox --scale for the ingest measurement (default: the full-scale world's daily volume)")
    parser.add_argument("--skip", action="append", default=[], choices=["ingest", "pandas", "daily", "daily30"])
    parser.add_argument("--only-ingest", action="store_true",
                        help="measure ingest only and update the scale's entry of results.json")
    parser.add_argument("--work-dir", type=Path, default=None, help="where worlds are generated (default benchmarks/.work)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.json; BENCHMARKS.md beside benchmarks/")
    args = parser.parse_args(argv)

    plan = plan_for(args.scale, args.history_days, args.work_dir)
    if args.only_ingest:
        path = args.out / "results.json"
        everything = json.loads(path.read_text()) if path.exists() else {}
        entry = everything.setdefault(plan.name, {"scale": plan.name})
        measure_ingest(args.ingest_scale, args.repeat, args.ingest_days, entry, plan.work_dir)
        path.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
        write_report(everything, args.out / "BENCHMARKS.md" if args.out != HERE else HERE.parent / "BENCHMARKS.md")
        return entry
    started = time.perf_counter()
    results: dict = {"scale": plan.name, "share_of_full": plan.share, "history_days": plan.history_days,
                     "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                     "measured_on": time.strftime("%Y-%m-%d"), "repeat": args.repeat, "daily_repeat": args.daily_repeat}
    year = plan.root / "year"
    info = ensure_landing(plan, year, plan.history(), log=log)
    _remove_day(year / "landing", NEW_DAY)
    results["rows"] = info["rows"]
    results["generate_s"] = round(info["seconds"], 1)

    measure_builds(year, args.repeat, results)
    if "pandas" not in args.skip:
        measure_pandas(year, args.pandas_repeat or args.repeat, results)
    if "daily" not in args.skip:
        measure_daily(plan, year, args.daily_repeat, results, with_30d="daily30" not in args.skip)
    if "ingest" not in args.skip:
        measure_ingest(args.ingest_scale, args.repeat, args.ingest_days, results, plan.work_dir)
    results["benchmark_s"] = round(time.perf_counter() - started, 1)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    everything = json.loads(path.read_text()) if path.exists() else {}
    everything[plan.name] = results
    path.write_text(json.dumps(everything, indent=2, ensure_ascii=False) + "\n")
    write_report(everything, out / "BENCHMARKS.md" if out != HERE else HERE.parent / "BENCHMARKS.md")
    log(f"wrote {path}")
    return results


if __name__ == "__main__":
    main()
