"""The Dagster entry point (`workspace.yaml` and `call-attribution ui` load this).

It only gathers: assets, checks, resources, jobs and the schedule are built in
their own modules. dbt's manifest is prepared by `DbtProject.prepare_if_dev()`
under `dagster dev`, and by the CLI before it loads this module.
"""

import dagster as dg

from .jobs import refresh_job
from .landing.registry import api_specs, landing_assets
from .resources import all_resources
from .schedules import daily_refresh_schedule
from .warehouse.assets import dbt_resource, published_marts_asset, warehouse_assets

defs = dg.Definitions(
    assets=[*api_specs(), *landing_assets(), warehouse_assets(), published_marts_asset()],
    resources={**all_resources(), "dbt": dbt_resource()},
    jobs=[refresh_job],
    schedules=[daily_refresh_schedule()],
)
