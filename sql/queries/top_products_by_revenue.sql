-- description: Products that earned the most on a day, from completed orders.
-- grain: one row per product, the 10 highest revenues of the day
-- param: dt date The day, as YYYY-MM-DD
with orders as (
    select
        product_id,
        product_name,
        category,
        quantity,
        total_amount,
        order_id
    from orderlake.orders
    where dt = cast(? as varchar)
        and status = 'completed'
),

by_product as (
    select
        product_id,
        max(product_name) as product_name,
        max(category) as category,
        count(order_id) as orders,
        sum(quantity) as units,
        sum(total_amount) as revenue
    from orders
    group by product_id
)

select
    product_id,
    product_name,
    category,
    orders,
    units,
    revenue
from by_product
order by revenue desc, product_id
limit 10
