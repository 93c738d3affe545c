-- description: Completed sales per country and payment method over a date range, with revenue share.
-- grain: one row per country per payment method, largest revenue first
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with completed as (
    select
        country,
        payment_method,
        order_id,
        total_amount
    from orderlake.orders
    where dt between cast(? as varchar) and cast(? as varchar)
        and status = 'completed'
),

by_country_payment as (
    select
        country,
        payment_method,
        count(order_id) as orders,
        sum(total_amount) as revenue
    from completed
    group by country, payment_method
)

select
    country,
    payment_method,
    orders,
    revenue,
    round(cast(revenue as double) / sum(cast(revenue as double)) over (), 4) as revenue_share
from by_country_payment
order by revenue desc, country, payment_method
