r"""Synthetic e-commerce order lines, written as one CSV file per day and batch.

Faker makes small pools (customers, products) once per seed; rows are drawn from the pools
with numpy and assembled with Arrow compute kernels, so a million rows take a second or two
rather than a Faker call per row. A configurable share of rows is deliberately malformed, in
the ways real feeds break, so that the quality path always has work.

Valid rows also hold what standard CSV writers produce and a reader must get right (RFC 4180):
- product names with a comma (every seventh product: `Lamp Home, size 3`), with an escaped
  quote and a comma (`12" Pizza Stone, large`, written `"12"" Pizza Stone, large"`), and with a
  backslash before the closing quote (`Folders, C:\`, written `"Folders, C:\"`; no backslash
  escape), each a few products of the pool;
- a product name holding a line break (two products of the pool, so about one row in 200): a
  quoted field over two physical lines, one record;
- order times in ISO 8601 forms (ISO_SHARE of rows): `T` between date and time, `Z`,
  `+02:00` (the local time two hours ahead of UTC, the same instant), fractional seconds.

Duplicates (`duplicate_share` of rows) repeat an earlier order, as a retried upstream export
does: most are the earlier line exactly (same content, a duplicate dropped); `conflict_share`
of them repeat the order id with a different quantity (a `conflicting_duplicate`, quarantined
with the kept row's file and line). A repeat of a malformed row is malformed the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from orderlake import names as N
from orderlake.dates import partition
from orderlake.storage import ObjectStore

CATEGORIES: tuple[str, ...] = (
    "Electronics",
    "Home & Kitchen",
    "Clothing",
    "Books",
    "Sports & Outdoors",
    "Beauty",
    "Toys & Games",
    "Grocery",
)
# Typical price ranges by category (median USD, spread as a lognormal sigma).
PRICE_PROFILE: dict[str, tuple[float, float]] = {
    "Electronics": (120.0, 0.9),
    "Home & Kitchen": (45.0, 0.7),
    "Clothing": (35.0, 0.5),
    "Books": (18.0, 0.4),
    "Sports & Outdoors": (60.0, 0.7),
    "Beauty": (25.0, 0.5),
    "Toys & Games": (30.0, 0.6),
    "Grocery": (12.0, 0.5),
}
STATUS_WEIGHTS = {
    N.STATUS_COMPLETED: 0.62,
    N.STATUS_ABANDONED: 0.25,
    N.STATUS_CANCELLED: 0.07,
    N.STATUS_RETURNED: 0.06,
}
PAYMENT_WEIGHTS = (0.55, 0.2, 0.1, 0.1, 0.05)  # in N.PAYMENT_METHODS order
QUANTITY_WEIGHTS = (0.55, 0.25, 0.1, 0.06, 0.04)  # quantities 1..5
COUNTRIES = ("US", "US", "US", "CA", "GB", "DE", "FR", "AU", "NL", "MX")
# Share of rows whose order time is written in one of the ISO 8601 forms (ISO_FORMS).
ISO_SHARE = 0.02
ISO_FORMS: tuple[str, ...] = ("T", "T...Z", "T...+02:00", "fraction", "T...fractionZ")

# The ways a row can be malformed, each a quarantine reason the cleaner must find.
MALFORMATIONS: tuple[str, ...] = (
    "missing_customer",
    "negative_quantity",
    "text_quantity",
    "bad_price",
    "bad_timestamp",
    "previous_day",
    "unknown_status",
    "bad_email",
    "unknown_currency",
    "short_line",
    "broken_quote",
)


@dataclass(frozen=True)
class GeneratorSettings:
    rows: int = 1000
    seed: int = 42
    malformed_share: float = 0.02
    duplicate_share: float = 0.005
    # Of the duplicates: the share whose content differs from the earlier row's.
    conflict_share: float = 0.1
    customers: int = 2000
    products: int = 400
    batch: str = field(default="")

    def __post_init__(self) -> None:
        if self.rows < 0:
            raise ValueError(f"rows must be >= 0, got {self.rows}")
        for name in ("malformed_share", "duplicate_share", "conflict_share"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {share}")
        if self.customers < 1 or self.products < 1:
            raise ValueError("customers and products must be at least 1")

    @property
    def batch_id(self) -> str:
        return self.batch or f"seed{self.seed}"


@dataclass(frozen=True)
class Pools:
    """Value pools as CSV-ready text (quoted where needed), so rows are plain `take`s."""

    customer_id: list[str]
    customer_name: list[str]
    customer_email: list[str]
    customer_country: list[str]
    product_id: list[str]
    product_name: list[str]
    product_category: list[str]
    product_price: list[str]


def make_pools(settings: GeneratorSettings) -> Pools:
    fake = Faker("en_US")
    fake.seed_instance(settings.seed)
    rng = np.random.default_rng(settings.seed)
    names = [f"{fake.first_name()} {fake.last_name()}" for _ in range(settings.customers)]
    domains = ("example.com", "mail.example.org", "shop.example.net")
    locals_ = [n.lower().replace(" ", ".").replace("'", "") for n in names]
    emails = [f"{local}{i}@{domains[i % 3]}" for i, local in enumerate(locals_)]
    categories = rng.choice(len(CATEGORIES), size=settings.products)
    product_names, prices = [], []
    for i, cat_index in enumerate(categories):
        category = CATEGORIES[cat_index]
        noun = fake.word().title()
        # Some names carry a comma, so files always hold quoted fields; a few an escaped
        # quote, a backslash before the closing quote, or a line break (module docstring).
        if i % 199 == 100:
            product_names.append(f"{noun} {category.split()[0]} gift set\n(2 pieces)")
        elif i % 41 == 4:
            product_names.append(f'12" {noun} Stone, large')
        elif i % 41 == 5:
            product_names.append(f"{noun} Folders, C:\\")
        elif i % 7 == 0:
            product_names.append(f"{noun} {category.split()[0]}, size {i % 5 + 1}")
        else:
            product_names.append(f"{fake.color_name()} {noun} {category.split()[0]}")
        median, sigma = PRICE_PROFILE[category]
        prices.append(f"{max(0.99, round(float(rng.lognormal(np.log(median), sigma)), 2)):.2f}")
    countries = rng.choice(len(COUNTRIES), size=settings.customers)
    return Pools(
        customer_id=[f"C{i:06d}" for i in range(1, settings.customers + 1)],
        customer_name=names,
        customer_email=emails,
        customer_country=[COUNTRIES[i] for i in countries],
        product_id=[f"P{i:05d}" for i in range(1, settings.products + 1)],
        product_name=product_names,
        product_category=[CATEGORIES[i] for i in categories],
        product_price=prices,
    )


def csv_field(value: str) -> str:
    """RFC 4180 quoting, only where a value needs it."""
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _pool(values: list[str], *bad: str) -> pa.Array:
    """A pool as CSV text; `bad` values are appended after the good ones."""
    return pa.array([csv_field(v) for v in [*values, *bad]])


def _draw(rng: np.random.Generator, n: int, weights: tuple[float, ...]) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def generate_csv(
    run_date: dt.date, settings: GeneratorSettings, pools: Pools | None = None
) -> bytes:
    """One day's order lines as CSV bytes (header first, '\\n' line ends)."""
    pools = pools or make_pools(settings)
    n = settings.rows
    header = (N.RAW_HEADER + "\n").encode()
    if n == 0:
        return header
    rng = np.random.default_rng(settings.seed * 100_003 + run_date.toordinal())
    n_customers, n_products = len(pools.customer_id), len(pools.product_id)

    # Popular products sell more: Zipf-like weights over a shuffled product order.
    popularity = tuple(1.0 / np.arange(1, n_products + 1) ** 0.8)
    product = rng.permutation(n_products)[_draw(rng, n, popularity)]
    customer = rng.integers(0, n_customers, size=n)
    quantity = _draw(rng, n, QUANTITY_WEIGHTS)
    status = _draw(rng, n, tuple(STATUS_WEIGHTS.values()))
    payment = _draw(rng, n, PAYMENT_WEIGHTS)
    start = int(dt.datetime(run_date.year, run_date.month, run_date.day, tzinfo=dt.UTC).timestamp())
    seconds = np.sort(rng.integers(0, 86_400, size=n)) + start

    # Duplicates: a few rows repeat an earlier order (a retried upstream export).
    seq = np.arange(1, n + 1)
    n_dup = min(int(n * settings.duplicate_share), n - 1)
    dup_rows = repeated = conflicting = np.empty(0, dtype=np.int64)
    if n_dup > 0:
        dup_rows = np.sort(rng.choice(np.arange(1, n), size=n_dup, replace=False))
        # Each repeats an earlier row that is not itself a repeat (row 0 never is one).
        # A mask, not setdiff1d: the same sorted rows without a hash-based unique of n rows.
        is_original = np.ones(n, dtype=bool)
        is_original[dup_rows] = False
        originals = np.flatnonzero(is_original)
        earlier = np.searchsorted(originals, dup_rows)
        repeated = originals[(rng.random(n_dup) * earlier).astype(np.int64)]
        seq[dup_rows] = seq[repeated]
        # The whole row is repeated: every draw of the earlier row, copied (a few rows each).
        for draws in (product, customer, quantity, status, payment, seconds):
            draws[dup_rows] = draws[repeated]
        conflicting = dup_rows[rng.random(n_dup) < settings.conflict_share]
        # A conflicting copy: another valid quantity (1..5).
        quantity[conflicting] = (quantity[conflicting] + 1) % len(QUANTITY_WEIGHTS)

    # Malformed rows point at "bad" pool entries (appended after the good ones).
    kind = np.full(n, -1)
    n_bad = min(int(round(n * settings.malformed_share)), n)
    if n_bad:
        bad_rows = rng.choice(n, size=n_bad, replace=False)
        kind[bad_rows] = rng.integers(0, len(MALFORMATIONS), size=n_bad)
    kind[dup_rows] = kind[repeated]  # a repeat is malformed as its earlier row is

    def bad(name: str) -> np.ndarray:
        return kind == MALFORMATIONS.index(name)

    customer_id = np.where(bad("missing_customer"), n_customers, customer)
    email = np.where(bad("bad_email"), customer + n_customers, customer)
    quantity = np.where(bad("negative_quantity"), 5, np.where(bad("text_quantity"), 6, quantity))
    price = np.where(bad("bad_price"), n_products, product)
    status = np.where(bad("unknown_status"), len(STATUS_WEIGHTS), status)
    currency = bad("unknown_currency").astype(np.int64)
    seconds = np.where(bad("previous_day"), seconds - 86_400, seconds)
    timestamps = _with_iso_forms(rng, seconds, dup_rows, repeated)
    timestamps = pc.replace_with_mask(
        timestamps,
        pa.array(bad("bad_timestamp")),
        pa.array([f"{run_date:%d/%m/%Y} 25:61"] * int(bad("bad_timestamp").sum()), pa.string()),
    )

    broken_emails = [e.replace("@", " at ") for e in pools.customer_email]
    # Line-level faults are pool entries too, so no line is edited after the join: a broken
    # quote is an opening '"' before the product name (the sixth field), and a short line
    # drops its last field, so the payment method's pool entry carries ",country\n" or "\n".
    product_names = [csv_field(v) for v in pools.product_name]
    named = np.where(bad("broken_quote"), product + n_products, product)
    tails = [f",{csv_field(c)}\n" for c in pools.customer_country] + ["\n"]
    country = np.where(bad("short_line"), n_customers, customer)
    payment_tails = pa.array(
        [csv_field(method) + tail for method in N.PAYMENT_METHODS for tail in tails]
    )
    payment_tail = payment * len(tails) + country
    order_prefix = f"ORD-{run_date:%Y%m%d}-{settings.batch_id}-"
    # Pools as CSV text, each indexed by its column's draws.
    pooled = [
        (_pool(pools.customer_id, ""), customer_id),
        (_pool(pools.customer_name), customer),
        (_pool(pools.customer_email, *broken_emails), email),
        (_pool(pools.product_id), product),
        (pa.array(product_names + ['"' + v for v in product_names]), named),
        (_pool(pools.product_category), product),
        (_pool(["1", "2", "3", "4", "5"], "-2", "two"), quantity),
        (_pool(pools.product_price, "12.3.4"), price),
        (_pool(["USD"], "US$"), currency),
    ]
    last = [(_pool(list(STATUS_WEIGHTS), "pending"), status), (payment_tails, payment_tail)]
    # Lines are joined a chunk at a time: Arrow's string offsets are 32-bit (2 GB a chunk),
    # and a chunk's columns stay small enough to be cheap to build and free.
    pieces = [header]
    for start in range(0, n, _CHUNK_ROWS):
        rows = slice(start, min(start + _CHUNK_ROWS, n))
        columns = [
            pc.binary_join_element_wise(
                order_prefix, pc.utf8_lpad(pa.array(seq[rows]).cast(pa.string()), 7, "0"), ""
            ),
            *[pool.take(pa.array(index[rows])) for pool, index in pooled],
            timestamps.slice(rows.start, rows.stop - rows.start),
            *[pool.take(pa.array(index[rows])) for pool, index in last],
        ]
        pieces.append(_concat(pc.binary_join_element_wise(*columns, ",")))
    return b"".join(pieces)


_CHUNK_ROWS = 250_000


def _with_iso_forms(
    rng: np.random.Generator, seconds: np.ndarray, dup_rows: np.ndarray, repeated: np.ndarray
) -> pa.Array:
    """Order times as `YYYY-MM-DD HH:MM:SS`, ISO_SHARE of them in one of the ISO_FORMS (a
    repeated row in its earlier row's form). Only the few rows in another form are built."""
    n = len(seconds)
    text = pa.array(seconds, pa.timestamp("s")).cast(pa.string())
    form = np.full(n, -1)
    drawn = rng.random(n) < ISO_SHARE
    form[drawn] = rng.integers(0, len(ISO_FORMS), size=int(drawn.sum()))
    form[dup_rows] = form[repeated]
    iso = form >= 0
    if not iso.any():
        return text
    chosen = form[iso]
    plain = pa.array(seconds[iso], pa.timestamp("s")).cast(pa.string())
    with_t = pc.utf8_replace_slice(plain, 10, 11, "T")
    ahead = pc.utf8_replace_slice(
        pa.array(seconds[iso] + 7200, pa.timestamp("s")).cast(pa.string()), 10, 11, "T"
    )
    forms = [
        with_t,
        pc.binary_join_element_wise(with_t, "Z", ""),
        pc.binary_join_element_wise(ahead, "+02:00", ""),
        pc.binary_join_element_wise(plain, ".250", ""),
        pc.binary_join_element_wise(with_t, ".123456Z", ""),
    ]
    written = forms[-1]
    for place in range(len(forms) - 2, -1, -1):
        written = pc.if_else(pa.array(chosen == place), forms[place], written)
    return pc.replace_with_mask(text, pa.array(iso), written)


def _concat(lines: pa.Array) -> bytes:
    """The text of a string array laid end to end, straight from Arrow's data buffer."""
    lines = pa.concat_arrays([lines]) if lines.offset else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1)
    return lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def raw_key(table_prefix: str, run_date: dt.date, batch_id: str) -> str:
    return f"{table_prefix}/{partition(run_date)}/orders-{batch_id}.csv"


@dataclass(frozen=True)
class WrittenFile:
    key: str
    rows: int
    bytes: int
    location: str


def write_day(
    store: ObjectStore, run_date: dt.date, settings: GeneratorSettings, table_prefix: str = "orders"
) -> WrittenFile:
    """Generate a day and write it to the raw zone; the same key for the same seed and batch,
    so a re-run replaces the file instead of adding a second copy of the day."""
    data = generate_csv(run_date, settings)
    key = raw_key(table_prefix, run_date, settings.batch_id)
    store.put(key, data)
    return WrittenFile(
        key=key, rows=settings.rows, bytes=len(data), location=f"{store.describe()}/{key}"
    )
