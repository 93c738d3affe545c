-- description: The 50 products most often left in a cart on a day, with the value left behind.
-- grain: one row per product, ranked by abandoned carts then abandoned value (at most 50)
-- param: dt date The day, as YYYY-MM-DD
with top_abandoned as (
    select
        rank,
        product_id,
        product_name,
        category,
        abandoned_carts,
        abandoned_value
    from orderlake.top_abandoned_products
    where dt = cast(? as varchar)
)

select
    rank,
    product_id,
    product_name,
    category,
    abandoned_carts,
    abandoned_value
from top_abandoned
order by rank
limit 50
