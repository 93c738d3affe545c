-- description: Data quality per day over a date range: rule outcomes and the row accounting.
-- grain: one row per day per job that recorded results, oldest first
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with dq as (
    select
        dt,
        job_name,
        record_type,
        severity,
        outcome,
        rows_read,
        rows_curated,
        rows_quarantined,
        duplicates_dropped
    from orderlake.dq_results
    where dt between cast(? as varchar) and cast(? as varchar)
),

by_day as (
    select
        dt,
        job_name,
        count_if(record_type = 'rule') as rules_evaluated,
        count_if(record_type = 'rule' and outcome = 'Passed') as rules_passed,
        count_if(record_type = 'rule' and outcome <> 'Passed') as rules_failed,
        count_if(
            record_type = 'rule' and outcome <> 'Passed' and severity = 'blocking'
        ) as blocking_failures,
        sum(case when record_type = 'run' then rows_read end) as rows_read,
        sum(case when record_type = 'run' then rows_curated end) as rows_curated,
        sum(case when record_type = 'run' then rows_quarantined end) as rows_quarantined,
        sum(case when record_type = 'run' then duplicates_dropped end) as duplicates_dropped
    from dq
    group by dt, job_name
)

select
    dt,
    job_name,
    rules_evaluated,
    rules_passed,
    rules_failed,
    blocking_failures,
    rows_read,
    rows_curated,
    rows_quarantined,
    duplicates_dropped,
    rows_read = rows_curated + rows_quarantined + duplicates_dropped as rows_reconciled
from by_day
order by dt, job_name
