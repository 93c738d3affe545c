"""`--run_date yesterday`, the value the scheduled Glue workflow passes."""

import datetime as dt

import pytest

from orderlake.errors import OrderlakeError
from orderlake.jobs.aggregate_customers import AggregateCustomersConfig
from orderlake.jobs.config import resolve_run_date

ARGS = {"orders_path": "s3://b/orders", "customer_top_abandoned_path": "s3://b/cta"}


def test_yesterday_is_the_day_before_today():
    assert resolve_run_date("yesterday", dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)


def test_an_explicit_date_is_kept():
    assert resolve_run_date("2026-11-21", dt.date(2030, 1, 1)) == dt.date(2026, 11, 21)


def test_config_resolves_yesterday_in_utc():
    config = AggregateCustomersConfig.from_arguments({"run_date": "yesterday", **ARGS})
    assert config.run_date == dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


@pytest.mark.parametrize("bad", ["Yesterday", "today", "2026-13-01", ""])
def test_anything_else_is_a_clear_error(bad):
    with pytest.raises(OrderlakeError, match="invalid date"):
        AggregateCustomersConfig.from_arguments({"run_date": bad, **ARGS})
