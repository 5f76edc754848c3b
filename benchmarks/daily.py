"""One daily run, as `call-attribution run` does it minus landing: the refresh job's warehouse assets
(dbt build of every model for the day's partition, then publishing) in one in-process Dagster run.

`python -m benchmarks.daily --home H --day D` prints JSON with the phases' seconds: importing and
loading the definitions (Dagster start-up), preparing the dbt manifest, and the run itself (dbt's
own parse and each model are in the dbt log of the run's target directory).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date

T0 = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--day", required=True)
    args = parser.parse_args()
    os.environ["ATTRIBUTION_HOME"] = args.home
    os.environ["DAGSTER_HOME"] = os.path.join(args.home, "dagster")
    os.environ.setdefault("ATTRIBUTION_TIMEZONE", "Europe/Moscow")
    day = date.fromisoformat(args.day)
    phases: dict[str, float] = {}

    from orchestration.runner import prepare_instance
    from orchestration.warehouse.project import ensure_manifest

    prepare_instance()
    started = time.perf_counter()
    ensure_manifest()
    phases["manifest_s"] = time.perf_counter() - started

    started = time.perf_counter()
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.jobs import range_tags
    from orchestration.warehouse.assets import warehouse_keys

    job = defs.resolve_job_def("refresh")
    selection = warehouse_keys()
    phases["dagster_load_s"] = time.perf_counter() - started + (started - T0)

    started = time.perf_counter()
    result = job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        tags=range_tags(day, day),
        asset_selection=selection,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        raise_on_error=True,
    )
    phases["run_s"] = time.perf_counter() - started
    steps = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS":
            steps[event.step_key] = event.event_specific_data.duration_ms / 1000.0
    phases["steps_s"] = steps
    phases["total_s"] = time.perf_counter() - T0
    print("BENCHMARK " + json.dumps(phases))


if __name__ == "__main__":
    main()
