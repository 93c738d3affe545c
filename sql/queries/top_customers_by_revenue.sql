-- description: The 20 customers who spent the most over a date range, from completed orders.
-- grain: one row per customer, the 20 highest spends
-- param: start_date date First day, YYYY-MM-DD
-- param: end_date date Last day (inclusive), YYYY-MM-DD
with completed as (
    select
        customer_id,
        customer_name,
        total_amount
    from orderlake.orders
    where dt between cast(? as varchar) and cast(? as varchar)
        and status = 'completed'
),

by_customer as (
    select
        customer_id,
        -- One name per customer id: any of its rows will do, and is cheaper than max().
        arbitrary(customer_name) as customer_name,
        -- Curated order ids are never null: count the rows, not a column of 18M strings.
        count(*) as orders,
        sum(total_amount) as revenue
    from completed
    group by customer_id
)

select
    customer_id,
    customer_name,
    orders,
    revenue
from by_customer
order by revenue desc, customer_id
limit 20
