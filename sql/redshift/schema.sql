-- The warehouse schema the orderlake load writes to (orderlake.warehouse.tables.WAREHOUSE_SCHEMA).
create schema if not exists orderlake;
