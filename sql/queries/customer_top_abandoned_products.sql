-- description: Each customer's 10 most abandoned products on a day (for reminder emails).
-- grain: one row per customer per product, ranked within the customer (at most 10 each)
-- param: dt date The day, as YYYY-MM-DD
with customer_top as (
    select
        customer_id,
        customer_name,
        rank,
        product_id,
        product_name,
        abandoned_carts,
        abandoned_value
    from orderlake.customer_top_abandoned
    where dt = cast(? as varchar)
)

select
    customer_id,
    customer_name,
    rank,
    product_id,
    product_name,
    abandoned_carts,
    abandoned_value
from customer_top
where rank <= 10
order by customer_id, rank
