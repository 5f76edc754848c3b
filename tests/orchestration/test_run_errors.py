"""A failed dbt build is reported in one line that names what failed (and, after an upgrade, the fix)."""

from __future__ import annotations

from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.runner import _user_error


def _dbt_failure(*errors: str) -> BaseException:
    # dagster-dbt's text: the command, then the error lines it parsed from dbt's log
    description = ("The dbt CLI process with command\n\n`dbt build --threads 4`\n\nfailed with exit code `1`. "
                   "Check the stdout in the Dagster compute logs for the full information about the error."
                   + ("\n\nErrors parsed from dbt logs:\n\n" + "\n\n".join(errors) if errors else ""))
    try:
        raise RuntimeError("Error occurred while executing op 'warehouse'") from DagsterDbtCliRuntimeError(description)
    except RuntimeError as wrapped:
        return wrapped


def test_the_first_error_dbt_logged_is_the_line():
    line = _user_error(_dbt_failure("\x1b[31m12 of 104 ERROR creating sql table model marts.roi_daily\x1b[0m",
                                    "Runtime Error in model roi_daily"))
    assert line == "dbt build failed: 12 of 104 ERROR creating sql table model marts.roi_daily"


def test_an_incremental_model_whose_columns_changed_says_to_run_a_full_refresh():
    line = _user_error(_dbt_failure(
        "76 of 104 ERROR creating sql incremental model intermediate.int_attribution_credits_allocated",
        "Compilation Error in model int_attribution_credits_allocated\n  The source and target schemas on this "
        "incremental model are out of sync!"))
    assert line.startswith("dbt build failed: 76 of 104 ERROR creating sql incremental model")
    assert line.endswith("run once with --full-refresh") and "\n" not in line


def test_without_parsed_errors_it_points_to_the_log():
    assert _user_error(_dbt_failure()) == "dbt build failed: see the run log"
