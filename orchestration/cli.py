"""`call-attribution`: the command line (DESIGN §6).

Expected failures (missing credentials, a rejected token, an unreachable host, a
bad date range) end with one line saying what to fix and a non-zero exit, never
a traceback. Runs go through Dagster on the same DAGSTER_HOME as `call-attribution ui`,
so every CLI run shows up in the UI.
"""

from __future__ import annotations

import gc
import os
import shlex
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="End-to-end attribution of target phone calls to ad campaigns (Calltouch, Yandex Direct, "
    "Yandex Metrica, amoCRM) with dbt on DuckDB and Dagster.",
)
out = Console()
err = Console(stderr=True)


class UserFacingError(Exception):
    """An error the user can fix; printed as one line."""


def fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


@app.command()
def sandbox(
    port: int = typer.Option(8765, help="Loopback port to serve the four vendor APIs on."),
    seed: int = typer.Option(7, help="World seed: the same seed gives the same world."),
    days: int = typer.Option(90, help="Days of history the world covers."),
    end_date: Optional[str] = typer.Option(None, help="Last day of the world (YYYY-MM-DD); default yesterday."),
    fault_rate: float = typer.Option(0.0, help="Share of requests that fail transiently (0..1)."),
    scale: float = typer.Option(1.0, help="Size multiplier of the world."),
    env_only: bool = typer.Option(False, "--env-only", help="Print the export lines and exit (for eval in another shell)."),
    hostile: bool = typer.Option(False, "--hostile", help="Also serve hostile but plausible records (odd phone shapes, "
                                 "DST-hour times, SQL in UTM tags, ragged TSV rows, duplicates); see docs/RELIABILITY.md."),
) -> None:
    """Serve a simulated world over the vendors' real wire formats on loopback.

    First prints one `export NAME=value` line per variable that points the pipeline at
    it, e.g. in another shell: eval "$(call-attribution sandbox --port 8765 --env-only)".
    """
    from connectors.sandbox import SandboxCredentials, sandbox_env

    try:
        end = settings.parse_day(end_date, "--end-date") if end_date else None
        if not 0.0 <= fault_rate < 1.0:
            raise settings.SettingsError("--fault-rate must be at least 0 and below 1")
        if days < 1:
            raise settings.SettingsError("--days must be at least 1")
        tz = settings.timezone_name()
    except settings.SettingsError as exc:
        fail(str(exc))
    env = sandbox_env(f"http://127.0.0.1:{port}", SandboxCredentials(), tz)
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    sys.stdout.flush()
    if env_only:
        return
    from connectors.sandbox import run_sandbox

    data_dir = settings.attribution_home() / "sandbox"
    err.print(f"sandbox: serving seed {seed}, {days} days, fault rate {fault_rate} on http://127.0.0.1:{port} "
              f"(ground truth in {data_dir}); Ctrl-C stops it", highlight=False)
    try:
        run_sandbox(port=port, seed=seed, days=days, end_date=end, fault_rate=fault_rate, scale=scale,
                    data_dir=data_dir, timezone=tz, hostile=hostile)
    except OSError as exc:
        fail(f"cannot serve on port {port}: {exc.strerror or exc}. Fix: pick another --port.")
    except KeyboardInterrupt:
        err.print("sandbox: stopped")


@app.command()
def run(
    start: str = typer.Option(..., help="First local day to land (YYYY-MM-DD)."),
    end: str = typer.Option(..., help="Last local day to land (YYYY-MM-DD)."),
    source: Optional[list[str]] = typer.Option(None, "--source", help="Only these sources (repeatable)."),
    land_only: bool = typer.Option(False, "--land-only", help="Land raw data only; skip the dbt build and publishing."),
    build_only: bool = typer.Option(False, "--build-only",
                                    help="Skip landing: build the warehouse and publish from the days already landed."),
    full_refresh: bool = typer.Option(False, "--full-refresh",
                                      help="Rebuild every incremental table from all landed days, not just the window."),
) -> None:
    """Land every enabled source for the days given, build the warehouse and publish the marts."""
    from .runner import RunError, run_range

    try:
        first = settings.parse_day(start, "--start")
        last = settings.parse_day(end, "--end")
        settings.days_between(first, last)
        if last >= settings.local_today():
            raise settings.SettingsError(
                f"--end {last} is not a finished local day yet (today is {settings.local_today()} in "
                f"{settings.timezone_name()}). Fix: end at yesterday or earlier."
            )
        if land_only and (build_only or full_refresh):
            raise settings.SettingsError("--land-only builds nothing: drop --build-only / --full-refresh.")
        run_range(first, last, sources=source or None, build=not land_only, land=not build_only,
                  full_refresh=full_refresh, console=err)
    except (settings.SettingsError, RunError) as exc:
        fail(str(exc))


@app.command()
def ui(
    port: int = typer.Option(3000, help="Port of the Dagster UI."),
    host: str = typer.Option("127.0.0.1", help="Interface the UI listens on."),
) -> None:
    """Open the Dagster UI on the same DAGSTER_HOME as CLI runs (asset graph, partitions, checks, schedule)."""
    from .runner import prepare_instance
    from .warehouse.project import ensure_manifest

    try:
        home = prepare_instance()
        ensure_manifest()
    except settings.SettingsError as exc:
        fail(str(exc))
    err.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={home})", highlight=False)
    cmd = [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(settings.PROJECT_ROOT / "workspace.yaml"),
           "-h", host, "-p", str(port)]
    try:
        raise typer.Exit(subprocess.call(cmd, cwd=settings.PROJECT_ROOT, env=os.environ.copy()))
    except KeyboardInterrupt:
        raise typer.Exit(0)


@app.command()
def demo(
    days: int = typer.Option(30, help="Days to land from the simulated world."),
    seed: int = typer.Option(7, help="World seed."),
    port: int = typer.Option(0, help="Loopback port for the sandbox (0 = any free port)."),
) -> None:
    """No network, no credentials: start the sandbox, land N days, build, publish, print the findings."""
    from .demo import run_demo
    from .runner import RunError

    try:
        run_demo(days=days, seed=seed, port=port, console=out)
    except (settings.SettingsError, RunError) as exc:
        fail(str(exc))


def main() -> None:  # pragma: no cover - console script entry
    from .warehouse import warm_dbt

    warm_dbt.keep_dbt_out()  # this process only starts dbt processes; dbt-core stays in theirs
    # importing Dagster creates objects that live until exit: fewer collector passes over them
    gc.set_threshold(warm_dbt.GC_FIRST_THRESHOLD, *gc.get_threshold()[1:])
    try:
        app()
    finally:
        # everything left is freed at exit anyway: spare the collector its final passes over
        # Dagster's and the run's objects (1.3 s of every run's exit)
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
