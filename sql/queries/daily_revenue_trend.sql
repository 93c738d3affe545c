-- description: Revenue, completed orders, units and average order value per day over a date range.
-- grain: one row per day with completed orders, oldest first
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with completed as (
    select
        dt,
        order_id,
        quantity,
        total_amount
    from orderlake.orders
    where dt between cast(? as varchar) and cast(? as varchar)
        and status = 'completed'
),

by_day as (
    select
        dt,
        count(order_id) as orders,
        sum(quantity) as units,
        sum(total_amount) as revenue
    from completed
    group by dt
)

select
    dt,
    orders,
    units,
    revenue,
    -- Division in double, rounded: Trino and DuckDB differ on decimal division scales.
    round(cast(revenue as double) / orders, 2) as avg_order_value
from by_day
order by dt
