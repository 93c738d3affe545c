import datetime as dt

import pytest

from orderlake.errors import OrderlakeError
from orderlake.lake import Lake, parse_run_date


def test_parse_run_date_accepts_iso_dates():
    assert parse_run_date("2026-11-21") == dt.date(2026, 11, 21)


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "21/11/2026", "20261121", "", "x"])
def test_parse_run_date_rejects_anything_else(text):
    with pytest.raises(OrderlakeError, match="expected a calendar date as YYYY-MM-DD"):
        parse_run_date(text)


def test_local_lake_places_tables_under_their_zone(tmp_path):
    lake = Lake.local(tmp_path)
    assert lake.table("raw_orders") == f"{tmp_path}/raw/orders"
    assert lake.table("orders") == f"{tmp_path}/curated/orders"
    assert lake.table("product_daily") == f"{tmp_path}/analytics/product_daily"
    assert lake.table_partition("quarantine", dt.date(2026, 1, 2)).endswith(
        "curated/quarantine/dt=2026-01-02"
    )


def test_unknown_table_is_a_clear_error(tmp_path):
    with pytest.raises(OrderlakeError, match="unknown table 'nope'"):
        Lake.local(tmp_path).table("nope")
