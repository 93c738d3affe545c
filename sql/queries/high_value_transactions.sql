-- description: Completed sales above an amount on a day (the seed stream alerted on over $400).
-- grain: one row per order line, largest first
-- param: dt date The day, as YYYY-MM-DD
-- param: min_amount decimal Only sales whose total is above this amount in USD, e.g. 400
with completed as (
    select
        order_id,
        order_ts,
        customer_id,
        customer_name,
        product_id,
        product_name,
        quantity,
        unit_price,
        total_amount
    from orderlake.orders
    where dt = cast(? as varchar)
        and status = 'completed'
)

select
    order_id,
    order_ts,
    customer_id,
    customer_name,
    product_id,
    product_name,
    quantity,
    unit_price,
    total_amount
from completed
where total_amount > ?
order by total_amount desc, order_id
