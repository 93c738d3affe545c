-- description: Share of carts abandoned, and the value left behind, per category over a date range.
-- grain: one row per category, highest abandonment rate first
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with carts as (
    select
        category,
        status,
        total_amount
    from orderlake.orders
    where dt between cast(? as varchar) and cast(? as varchar)
),

by_category as (
    select
        category,
        count(*) as carts,
        count_if(status = 'abandoned') as abandoned_carts,
        coalesce(sum(case when status = 'abandoned' then total_amount end), 0) as abandoned_value
    from carts
    group by category
)

select
    category,
    carts,
    abandoned_carts,
    round(cast(abandoned_carts as double) / carts, 4) as abandonment_rate,
    abandoned_value
from by_category
order by abandonment_rate desc, category
