-- One row per product per day: units, revenue, carts and abandonment (analytics/product_daily).
-- Loaded by load_redshift: the day's rows are replaced wholly (delete dt, insert), key (dt, product_id).
create table if not exists orderlake.product_daily (
    product_id varchar(256) not null,
    product_name varchar(256),
    category varchar(256),
    units bigint not null,
    revenue decimal(22,2) not null,
    orders bigint not null,
    carts bigint not null,
    abandoned_carts bigint not null,
    abandoned_value decimal(22,2) not null,
    abandonment_rate double precision not null,
    dt date not null,
    primary key (dt, product_id)
)
diststyle auto
sortkey (dt);
