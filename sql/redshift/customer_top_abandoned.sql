-- One row per customer per rank per day: each customer's 10 most abandoned products
-- (analytics/customer_top_abandoned). Loaded by load_redshift: the day's rows are replaced
-- wholly (delete dt, insert), key (dt, customer_id, rank).
create table if not exists orderlake.customer_top_abandoned (
    customer_id varchar(256) not null,
    customer_name varchar(256),
    rank integer not null,
    product_id varchar(256) not null,
    product_name varchar(256),
    abandoned_carts bigint not null,
    abandoned_value decimal(22,2) not null,
    dt date not null,
    primary key (dt, customer_id, rank)
)
diststyle auto
sortkey (dt);
