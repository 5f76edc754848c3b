"""Publishing swaps the BI file atomically: open readers keep the old version, new ones see the new."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.warehouse.publish import publish_marts


def _build(path, revenue: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists staging")
    con.execute(f"create or replace table marts.roi_daily as select 'brand' as campaign, {revenue}::decimal(18,2) as revenue")
    con.execute("create or replace table staging.secret_stuff as select 1 as x")
    con.close()


def test_a_reader_holding_the_published_file_keeps_reading_while_a_new_version_is_published(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build(build, 100)
    publish_marts(build, target)
    reader = duckdb.connect(str(target), read_only=True)
    assert reader.execute("select revenue from marts.roi_daily").fetchone()[0] == 100

    _build(build, 250)
    result = publish_marts(build, target)  # the reader is still connected

    assert result.tables == {"roi_daily": 1}
    assert reader.execute("select revenue from marts.roi_daily").fetchone()[0] == 100  # old version, whole
    reader.close()
    fresh = duckdb.connect(str(target), read_only=True)
    assert fresh.execute("select revenue from marts.roi_daily").fetchone()[0] == 250
    tables = fresh.execute("select table_name from information_schema.tables").fetchall()
    assert tables == [("roi_daily",)]  # only the marts are published
    fresh.close()
    # nothing left behind but the replaced version, kept as the spare for the next publish
    assert sorted(p.name for p in tmp_path.iterdir()) == [".marts.duckdb.spare", "marts.duckdb", "warehouse.duckdb"]
    assert _rows(tmp_path / ".marts.duckdb.spare", "marts.roi_daily")[0][1] == 100


def test_publishing_an_unbuilt_warehouse_fails_and_keeps_the_previous_version(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build(build, 100)
    publish_marts(build, target)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="build it first"):
        publish_marts(empty, target)
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("select revenue from marts.roi_daily").fetchone()[0] == 100
    con.close()
    assert not list(tmp_path.glob(".marts.duckdb.tmp-*"))


def _build_days(path, revenue_on_day_3: int, days: int = 5, calls: int = 50) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute(f"""create or replace table marts.fct_calls as
        select 'c' || i as call_id, date '2026-10-01' + cast(i % {days} as integer) as call_date,
               case when i % {days} = 3 then {revenue_on_day_3} else 10 end::decimal(18, 2) as revenue
        from range({calls}) as r(i)""")
    con.execute("""create or replace table marts.attribution_credits as
        select call_id, m.model as attribution_model, 0.5::double as credit, revenue / 2 as revenue_credit, call_date
        from marts.fct_calls cross join (values ('linear'), ('last_click')) as m(model)""")
    con.execute("create or replace table marts.data_quality as select count(*) as rows_landed from marts.fct_calls")
    con.close()


def _rows(path, table):
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(con.execute(f"select * from {table}").fetchall())


def _assert_published_as_built(build, target, *tables: str) -> None:
    for table in tables:
        assert _rows(target, f"marts.{table}") == _rows(build, f"marts.{table}"), table


def test_a_daily_publish_replaces_only_the_days_that_changed_and_equals_the_build(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    first = publish_marts(build, target)
    assert first.days_replaced == {"attribution_credits": None, "data_quality": None, "fct_calls": None}

    _build_days(build, 99)  # one day's revenue changed
    second = publish_marts(build, target)
    assert second.days_replaced == {"attribution_credits": 1, "data_quality": None, "fct_calls": 1}
    assert second.signatures_reused == ("attribution_credits", "fct_calls")  # the published side was not hashed
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits", "data_quality")

    _build_days(build, 99, days=6)  # every call moved to another day, one day more
    third = publish_marts(build, target)
    assert third.days_replaced["fct_calls"] == 6
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")
    # the same build again: the spare (the second version) is brought up to it, then nothing is left to replace
    assert publish_marts(build, target).days_replaced["fct_calls"] == 6
    assert publish_marts(build, target).days_replaced == {"attribution_credits": 0, "data_quality": None, "fct_calls": 0}


def test_kept_signatures_that_do_not_describe_the_published_file_are_not_trusted(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    [first_kept] = tmp_path.glob(".marts.duckdb.days-*.parquet")
    stale = first_kept.read_bytes()

    _build_days(build, 99)
    publish_marts(build, target)
    spare = tmp_path / ".marts.duckdb.spare"
    assert sorted(tmp_path.glob(".marts.duckdb.days-*.parquet")) == sorted([first_kept, _kept_for(target)])
    kept = _kept_for(target)
    assert kept != first_kept  # named after the new version of the file (the first: the spare's)
    spare.unlink()  # removed by hand
    kept.unlink()  # as if the last publish died between its rename and writing them
    first_kept.write_bytes(stale)
    _build_days(build, 10)  # back to the first version: the stale signatures say nothing changed
    third = publish_marts(build, target)
    assert third.signatures_reused == ()
    assert third.days_replaced["fct_calls"] == 1
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def _kept_for(path):
    """The signature file named after this exact version of the file at `path`."""
    from orchestration.warehouse import publish

    return path.parent / f".marts.duckdb.days-{publish._identity(path)}.parquet"


def test_the_next_publish_brings_the_spare_up_to_date_instead_of_copying_the_published_file(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    spare = tmp_path / ".marts.duckdb.spare"
    _build_days(build, 10)
    assert publish_marts(build, target).started_from == "anew"
    _build_days(build, 20)
    assert publish_marts(build, target).started_from == "copy"  # no spare yet
    second = target.stat().st_ino
    assert _rows(spare, "marts.fct_calls") != _rows(build, "marts.fct_calls")  # the first version
    _build_days(build, 30)

    third = publish_marts(build, target)

    assert third.started_from == "spare"
    assert third.days_replaced["fct_calls"] == 1 and third.signatures_reused == ("attribution_credits", "fct_calls")
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits", "data_quality")
    assert spare.stat().st_ino == second  # the version it replaced is the next spare
    assert sorted(tmp_path.glob(".marts.duckdb.days-*.parquet")) == sorted([_kept_for(target), _kept_for(spare)])
    _build_days(build, 10)  # the spare (the second version) differs from the build on that day too
    assert publish_marts(build, target).started_from == "spare"
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits", "data_quality")


_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for line in sys.stdin:
    print(con.execute("select sum(revenue) from marts.fct_calls").fetchone()[0], flush=True)
"""


def test_a_spare_another_process_still_reads_is_left_to_it_and_the_publish_copies(tmp_path):
    import subprocess
    import sys

    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(target)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        reader.stdin.write("?\n")
        reader.stdin.flush()
        before = reader.stdout.readline()
        _build_days(build, 99)
        publish_marts(build, target)  # the reader's version is now the spare
        _build_days(build, 50)

        result = publish_marts(build, target)

        assert result.started_from == "copy"  # the spare is locked by the reader
        _assert_published_as_built(build, target, "fct_calls", "attribution_credits")
        reader.stdin.write("?\n")
        reader.stdin.flush()
        assert reader.stdout.readline() == before  # its version, untouched
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    _build_days(build, 10)
    assert publish_marts(build, target).started_from == "spare"  # the version before, unread
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_a_spare_that_is_the_published_file_itself_is_never_written_into(tmp_path):
    import os

    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    os.link(target, tmp_path / ".marts.duckdb.spare")  # a publish died between linking the spare and its rename
    published = _rows(target, "marts.fct_calls")
    reader = duckdb.connect(str(target), read_only=True)  # in this process: no lock keeps the publish out
    _build_days(build, 99)

    result = publish_marts(build, target)

    assert result.started_from == "copy"
    assert sorted(reader.execute("select * from marts.fct_calls").fetchall()) == published
    reader.close()
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_a_call_gone_from_the_build_takes_its_credits_with_it(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    with duckdb.connect(str(build)) as con:  # a call no longer in the build (its day gone with it)
        con.execute("delete from marts.fct_calls where call_id = 'c3'")
        con.execute("delete from marts.attribution_credits where call_id = 'c3'")
    result = publish_marts(build, target)
    # its published credits carry their day: only that part is compared, and the call's rows deleted
    assert "attribution_credits" in result.signatures_reused
    assert result.days_replaced["attribution_credits"] == 1 and result.rows_written["attribution_credits"] == 0
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_credits_published_without_call_date_by_an_earlier_version_are_copied_whole_once(tmp_path, monkeypatch):
    from orchestration.warehouse import publish

    monkeypatch.setattr(publish, "MIN_FREE_BYTES", 0)
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10, calls=100000)
    with duckdb.connect(str(build)) as con:  # credits as versions before call_date built them
        con.execute("alter table marts.attribution_credits drop column call_date")
    assert publish_marts(build, target).days_replaced["attribution_credits"] is None
    _build_days(build, 10, calls=100000)  # this version's build: the same rows, and call_date last
    upgraded = publish_marts(build, target)
    assert upgraded.days_replaced["attribution_credits"] is None  # another shape: copied whole
    assert publish._free_share(target) < publish.MAX_FREE_SHARE  # into the old rows' blocks: not written anew next
    _assert_published_as_built(build, target, "attribution_credits")
    _build_days(build, 99, calls=100000)
    # the spare is the version before the upgrade: copied whole once more, into its own old blocks
    assert publish_marts(build, target).days_replaced["attribution_credits"] is None
    assert publish._free_share(target) < publish.MAX_FREE_SHARE
    _build_days(build, 98, calls=100000)
    assert publish_marts(build, target).days_replaced["attribution_credits"] == 1  # then by day again
    _assert_published_as_built(build, target, "attribution_credits")


def test_a_changed_day_rewrites_only_its_changed_rows_even_among_identical_ones(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    with duckdb.connect(str(build)) as con:  # two identical rows in one day of a mart published by day
        con.execute("create table marts.roi_daily as select date '2026-10-01' + cast(i % 5 as integer) as date, "
                    "'brand' as campaign, 1 as calls from range(12) as r(i)")
    publish_marts(build, target)
    with duckdb.connect(str(build)) as con:
        con.execute("update marts.fct_calls set revenue = 77 where call_id = 'c8'")  # one call of day 3
        con.execute("insert into marts.roi_daily values (date '2026-10-03', 'brand', 1)")  # a third copy of two

    result = publish_marts(build, target)

    assert result.days_replaced["fct_calls"] == 1 and result.rows_written["fct_calls"] == 1  # of the day's 10
    assert result.days_replaced["roi_daily"] == 1 and result.rows_written["roi_daily"] == 3
    _assert_published_as_built(build, target, "fct_calls", "roi_daily", "attribution_credits")


def test_a_late_change_to_one_call_reads_only_its_part_of_the_day(tmp_path):
    from orchestration.warehouse import publish

    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    with duckdb.connect(str(build)) as con:  # one day of 20,000 calls
        con.execute("create schema marts")
        con.execute("""create table marts.fct_calls as select 'c' || i as call_id, date '2026-10-01' as call_date,
                       10::decimal(18, 2) as revenue from range(20000) as r(i)""")
    publish_marts(build, target)
    with duckdb.connect(str(build)) as con:  # a deal closed on one call of that day
        con.execute("update marts.fct_calls set revenue = 99 where call_id = 'c4242'")

    result = publish_marts(build, target)

    assert result.days_replaced == {"fct_calls": 1} and result.rows_written == {"fct_calls": 1}
    assert 0 < result.rows_compared["fct_calls"] < 4 * 20000 / publish.PARTS_PER_DAY  # its part, not the day
    _assert_published_as_built(build, target, "fct_calls")


def _keep_signatures(build, name: str, parts: int | None = None) -> None:
    """What the build's post_hook keeps (dbt_project/macros/signatures.sql), computed as publishing would."""
    from orchestration.warehouse import publish

    with duckdb.connect() as con:
        con.execute(f"attach '{build}' as build")
        con.execute("create schema if not exists build.intermediate")
        con.execute(f"create or replace table build.intermediate.mart_state__{name}__signatures as "
                    f"select *, {parts or publish.PARTS_PER_DAY} as parts_per_day "
                    f"from ({publish._signatures_sql(name, f'build.marts.{name}')})")


def test_the_signatures_the_build_keeps_are_read_when_they_account_for_every_row(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    _build_days(build, 99)
    _keep_signatures(build, "fct_calls")
    _keep_signatures(build, "attribution_credits", parts=64)  # kept by another part count: not used

    result = publish_marts(build, target)

    assert result.build_signatures_kept == ("fct_calls",) and result.days_replaced["fct_calls"] == 1
    with duckdb.connect(str(build)) as con:  # a row the kept signatures do not know of
        con.execute("insert into marts.fct_calls select call_id || 'x', call_date, revenue from marts.fct_calls limit 1")
    again = publish_marts(build, target)
    # the row, and the ten of the day the spare (the first version) has as they were
    assert again.build_signatures_kept == () and again.rows_written["fct_calls"] == 11
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_signatures_kept_by_a_version_that_signed_whole_days_are_not_trusted(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    [kept] = tmp_path.glob(".marts.duckdb.days-*.parquet")
    with duckdb.connect() as con:  # the same signatures without their part column, as an older version kept them
        con.execute(f"copy (select mart, day, row_count, row_hash from read_parquet('{kept}')) to '{kept}.old' (format parquet)")
    kept.unlink()
    (tmp_path / f"{kept.name}.old").rename(kept)
    _build_days(build, 99)

    result = publish_marts(build, target)

    assert result.signatures_reused == () and result.days_replaced["fct_calls"] == 1
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_signatures_kept_as_text_by_an_earlier_version_are_still_used(tmp_path):
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    _build_days(build, 10)
    publish_marts(build, target)
    [kept] = tmp_path.glob(".marts.duckdb.days-*.parquet")
    with duckdb.connect() as con:  # the sums of hashes as text, as versions before decimal(38, 0) kept them
        assert con.execute(f"select typeof(row_hash) from read_parquet('{kept}') limit 1").fetchone() == ("DECIMAL(38,0)",)
        con.execute(f"copy (select * replace (cast(row_hash as varchar) as row_hash) from read_parquet('{kept}')) "
                    f"to '{kept}.old' (format parquet)")
    kept.unlink()
    (tmp_path / f"{kept.name}.old").rename(kept)
    _build_days(build, 99)

    result = publish_marts(build, target)

    assert set(result.signatures_reused) == {"fct_calls", "attribution_credits"}
    assert result.days_replaced["fct_calls"] == 1 and result.rows_written["fct_calls"] == 10
    _assert_published_as_built(build, target, "fct_calls", "attribution_credits")


def test_a_published_file_mostly_free_space_is_written_anew_compact(tmp_path, monkeypatch):
    from orchestration.warehouse import publish

    monkeypatch.setattr(publish, "MIN_FREE_BYTES", 0)  # the share alone decides, on a small file
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"

    def calls(revenue: int) -> None:
        with duckdb.connect(str(build)) as con:
            con.execute("create schema if not exists marts")
            con.execute(f"""create or replace table marts.fct_calls as
                select 'c' || i as call_id, date '2026-10-01' + cast(i % 30 as integer) as call_date,
                       (i % 97 + {revenue})::decimal(18, 2) as revenue, md5(i::varchar) as note
                from range(300000) as r(i)""")

    calls(1)
    publish_marts(build, target)
    compact = target.stat().st_size
    calls(2)  # every row differs: all of them are rewritten in the copy, their old blocks left free
    rewritten = publish_marts(build, target)
    assert rewritten.days_replaced == {"fct_calls": 30}
    assert publish._free_share(target) > publish.MAX_FREE_SHARE
    calls(3)  # the spare (the first version, compact) is brought up to date: every row again
    assert publish_marts(build, target).started_from == "spare"
    assert publish._free_share(target) > publish.MAX_FREE_SHARE
    bloated = target.stat().st_size
    calls(4)

    again = publish_marts(build, target)

    assert again.days_replaced == {"fct_calls": None} and again.started_from == "anew"  # neither is copied
    assert publish._free_share(target) == 0.0
    # about the first copy's size: DuckDB's parallel writes lay the same rows out a little differently
    # from one write to the next (8.7 MB against 7.6 MB seen), the free blocks are twice that
    assert target.stat().st_size < 0.75 * bloated and target.stat().st_size < 1.25 * compact
    _assert_published_as_built(build, target, "fct_calls")


def test_a_mart_copied_whole_into_the_copy_reuses_the_blocks_it_replaces(tmp_path, monkeypatch):
    from orchestration.warehouse import publish

    monkeypatch.setattr(publish, "MIN_FREE_BYTES", 0)
    build, target = tmp_path / "warehouse.duckdb", tmp_path / "marts.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema marts")
        con.execute("""create table marts.fct_calls as
            select 'c' || i as call_id, date '2026-10-01' + cast(i % 30 as integer) as call_date
            from range(200000) as r(i)""")
        con.execute("""create table marts.attribution_credits as
            select call_id, m.model as attribution_model, md5(call_id || m.model) as touch_session_id, call_date
            from marts.fct_calls cross join (values ('linear'), ('last_click')) as m(model)""")
    publish_marts(build, target)
    with duckdb.connect(str(build)) as con:  # credits without a day: the mart is copied whole
        con.execute("update marts.attribution_credits set call_date = null where call_id = 'c7'")

    result = publish_marts(build, target)

    assert result.rows_written["attribution_credits"] == 400000  # the whole mart
    assert publish._free_share(target) < publish.MAX_FREE_SHARE  # not a second copy's worth of free blocks
    _assert_published_as_built(build, target, "attribution_credits")
