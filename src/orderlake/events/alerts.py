"""High-value sale alert: after clean_orders, one readable message per run listing the day's
sales above the threshold (count, total, the largest few with customer and product).

Reads the curated partition clean_orders just wrote (typed, deduplicated), with Arrow: the
figures are those of the curated table analysts query. The same code runs locally (the
runner's listener, a folder store) and in AWS (lambdas/sales_alert, the curated bucket, pyarrow
from the AWS SDK for pandas layer): `report_for` over an ObjectStore.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orderlake import names as N
from orderlake.dates import partition
from orderlake.events.messages import fit_subject
from orderlake.events.settings import HighValueSettings
from orderlake.storage import ObjectStore


@dataclass(frozen=True)
class Sale:
    order_id: str
    customer_id: str
    customer_name: str | None
    product_id: str
    product_name: str | None
    quantity: int
    unit_price: Decimal
    total_amount: Decimal


@dataclass(frozen=True)
class HighValueReport:
    run_date: dt.date
    threshold: Decimal
    statuses: tuple[str, ...]
    count: int
    total: Decimal
    largest: list[Sale]


COLUMNS = [
    N.ORDER_ID,
    N.CUSTOMER_ID,
    N.CUSTOMER_NAME,
    N.PRODUCT_ID,
    N.PRODUCT_NAME,
    N.QUANTITY,
    N.UNIT_PRICE,
    N.TOTAL_AMOUNT,
    N.STATUS,
]


def read_orders(partition_dir: Path) -> pa.Table:
    files = sorted(p for p in Path(partition_dir).glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"no curated orders in {partition_dir}")
    return pa.concat_tables([pq.read_table(f, columns=COLUMNS) for f in files])


def read_orders_from(store: ObjectStore, prefix: str) -> pa.Table:
    """Every Parquet file under `prefix` (a partition folder or S3 prefix) of `store`."""
    keys = sorted(o.key for o in store.list(prefix) if o.key.endswith(".parquet"))
    if not keys:
        raise FileNotFoundError(f"no curated orders under {store.describe()}/{prefix}")
    return pa.concat_tables(
        [pq.read_table(pa.BufferReader(store.get(key)), columns=COLUMNS) for key in keys]
    )


def report_for(
    store: ObjectStore, orders_prefix: str, run_date: dt.date, settings: HighValueSettings
) -> HighValueReport:
    """The day's report from the curated orders table `orders_prefix` of `store`."""
    partition_prefix = f"{orders_prefix}/{partition(run_date)}/"
    return high_value_sales(read_orders_from(store, partition_prefix), run_date, settings)


def high_value_sales(
    orders: pa.Table, run_date: dt.date, settings: HighValueSettings
) -> HighValueReport:
    """Sales in the configured statuses whose total amount is above the threshold."""
    amount = orders[N.TOTAL_AMOUNT]
    threshold = (
        pa.scalar(settings.threshold, amount.type)
        if pa.types.is_decimal(amount.type)
        else pa.scalar(float(settings.threshold))
    )
    keep = pc.and_(
        pc.is_in(orders[N.STATUS], value_set=pa.array(list(settings.statuses), pa.string())),
        pc.greater(amount, threshold),
    )
    hits = orders.filter(keep)
    total = pc.sum(hits[N.TOTAL_AMOUNT]).as_py() if hits.num_rows else Decimal("0")
    ranked = hits.sort_by([(N.TOTAL_AMOUNT, "descending"), (N.ORDER_ID, "ascending")])
    largest = [
        Sale(
            order_id=row[N.ORDER_ID],
            customer_id=row[N.CUSTOMER_ID],
            customer_name=row[N.CUSTOMER_NAME],
            product_id=row[N.PRODUCT_ID],
            product_name=row[N.PRODUCT_NAME],
            quantity=row[N.QUANTITY],
            unit_price=Decimal(str(row[N.UNIT_PRICE])),
            total_amount=Decimal(str(row[N.TOTAL_AMOUNT])),
        )
        for row in ranked.slice(0, settings.largest).to_pylist()
    ]
    return HighValueReport(
        run_date=run_date,
        threshold=settings.threshold,
        statuses=settings.statuses,
        count=hits.num_rows,
        total=Decimal(str(total)),
        largest=largest,
    )


def alert_subject(report: HighValueReport, project: str) -> str:
    return fit_subject(
        f"[{project}] {report.count} high-value sales over ${report.threshold:,.2f} "
        f"on {report.run_date.isoformat()}"
    )


def alert_message(report: HighValueReport) -> str:
    lines = [
        f"High-value sales on {report.run_date.isoformat()}: {report.count} sales over "
        f"${report.threshold:,.2f} (status {', '.join(report.statuses)}), "
        f"${report.total:,.2f} in total.",
        "",
        f"The largest {len(report.largest)}:",
    ]
    for i, sale in enumerate(report.largest, start=1):
        lines.append(
            f"  {i}. ${sale.total_amount:,.2f}  order {sale.order_id}: "
            f"{sale.customer_name or '(no name)'} ({sale.customer_id}) bought "
            f"{sale.quantity} x {sale.product_name or '(no name)'} ({sale.product_id}) "
            f"at ${sale.unit_price:,.2f}"
        )
    return "\n".join(lines) + "\n"
