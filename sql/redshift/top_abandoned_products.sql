-- One row per rank per day: the day's 50 most abandoned products (analytics/top_abandoned_products).
-- Loaded by load_redshift: the day's rows are replaced wholly (delete dt, insert), key (dt, rank).
create table if not exists orderlake.top_abandoned_products (
    rank integer not null,
    product_id varchar(256) not null,
    product_name varchar(256),
    category varchar(256),
    abandoned_carts bigint not null,
    abandoned_value decimal(22,2) not null,
    dt date not null,
    primary key (dt, rank)
)
diststyle auto
sortkey (dt);
