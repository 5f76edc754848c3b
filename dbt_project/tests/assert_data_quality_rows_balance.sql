-- Nothing is dropped silently: rows landed = rows staged + rows quarantined, per (source, stream, day),
-- and every landed row is counted.
with data_quality as (

    select * from {{ ref('data_quality') }}

),

unbalanced as (

    select source, stream, date, rows_landed, rows_staged, rows_quarantined
    from data_quality
    where rows_landed <> rows_staged + rows_quarantined

)

select * from unbalanced
