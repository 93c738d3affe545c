-- description: Why rows were quarantined, per day over a date range, with each reason's share.
-- grain: one row per day per reason, the commonest reason of a day first
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with quarantined as (
    select
        dt,
        reason
    from orderlake.quarantine
    where dt between cast(? as varchar) and cast(? as varchar)
),

by_reason as (
    select
        dt,
        reason,
        count(*) as quarantined_rows
    from quarantined
    group by dt, reason
)

select
    dt,
    reason,
    quarantined_rows,
    round(
        cast(quarantined_rows as double) / sum(quarantined_rows) over (partition by dt), 4
    ) as share_of_day
from by_reason
order by dt, quarantined_rows desc, reason
