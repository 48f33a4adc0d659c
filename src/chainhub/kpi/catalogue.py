"""The KPI catalogue: each KPI a definition in code whose computation is an Ibis expression over
the current versions of the documents the caller may see, so it runs on every backend.

Our KPIs ship as family modules under `kpi.families`; a deployment adds its own through the
`chainhub.kpis` entry-point group, each entry point naming a sequence of `KpiDefinition`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from importlib import import_module
from importlib.metadata import entry_points
from typing import Final, Literal

import ibis
import sqlalchemy as sa
from sqlalchemy import Connection

from chainhub.access.schemas import Principal
from chainhub.kpi.backend import ibis_for
from chainhub.partners.visibility import get_visible_clause
from chainhub.storage.bounded import BoundedCache
from chainhub.storage.engine import get_read_cache
from chainhub.storage.models import current_view, doc_table

Direction = Literal["higher", "lower"]
By = Literal["month", "total"]
ENTRY_POINT_GROUP: Final = "chainhub.kpis"
_FAMILIES: Final = ("orders", "inventory", "production", "quality", "data")
# The columns a site filter matches: a line is the site's when any of them names it.
SITE_COLUMNS: Final = ("site_id", "ship_to_site", "ship_from_site")


@dataclass(frozen=True)
class Window:
    """The dates a KPI is computed over (both ends inclusive) and how they are bucketed."""

    start: date | None = None
    end: date | None = None
    by: By = "month"
    # The facts behind the values, one row each, instead of the values (a drill-down).
    rows: bool = False

    def clip(self, facts: ibis.Table) -> ibis.Table:
        """Facts whose `day` falls in the window, with their `period` (month start, or null)."""
        if self.start is not None:
            facts = facts.filter(facts.day >= self.start)
        if self.end is not None:
            facts = facts.filter(facts.day <= self.end)
        period = facts.day.truncate("M") if self.by == "month" else ibis.null("date")
        return facts.mutate(period=period)

    def days(self, period: ibis.Value, first: ibis.Value, last: ibis.Value) -> ibis.Value:
        """Days a group covers: its calendar month, or for a total the days from its first to
        its last fact; either cut to the window's ends."""
        if self.by == "month":
            lo, after = period, period + ibis.interval(months=1)
        else:
            lo, after = first, last + ibis.interval(days=1)
        if self.start is not None:
            lo = ibis.greatest(lo, ibis.literal(self.start))
        if self.end is not None:
            after = ibis.least(after, ibis.literal(self.end + timedelta(days=1)))
        return after.delta(lo, unit="day")


Read = tuple[str, bool, bool]
_schemas: BoundedCache[tuple[str, str], ibis.Schema] = BoundedCache(256)


def placeholder(read: Read) -> str:
    """The name of the stand-in table for a document type's visible rows in a compiled KPI."""
    document_type, versions, sited = read
    return f"__chainhub_visible_{document_type}_{int(versions)}{int(sited)}"


@dataclass
class Sources:
    """The caller's visible documents as Ibis tables, over the connection it already holds;
    narrowed, when asked, to the lines of one material and of one site (a document type without
    such a column is not narrowed)."""

    conn: Connection
    principal: Principal
    today: date
    material: str | None = None
    site: str | None = None
    # The tables a computation read, in order: what its compiled query depends on.
    read: list[Read] = field(default_factory=list, init=False)
    _tables: dict[Read, ibis.Table] = field(default_factory=dict, init=False)
    _sql: dict[Read, str] = field(default_factory=dict, init=False)

    @cached_property
    def backend(self) -> ibis.BaseBackend:
        """Ibis over the caller's connection, made when a relation's schema is first read."""
        return ibis_for(self.conn)

    def visible_sql(self, document_type: str, *, versions: bool = False, sited: bool = True) -> str:
        """The SELECT of the rows `table` reads, with the caller's visibility as literals."""
        key = (document_type, versions, sited)
        if key not in self._sql:
            self._sql[key] = self._request_cached(key)
        return self._sql[key]

    def _request_cached(self, key: Read) -> str:
        """The visible SELECT, compiled once per read-only request: a page computes many KPIs
        over the same tables, and compiling the SELECT costs more than a kept answer."""
        cache = get_read_cache(conn=self.conn)
        if cache is None:
            return self._compile(*key)
        p = self.principal
        shared = ("kpi.visible_sql", p.partner_id, p.role, p.chain_leader, self.today)
        full = (*shared, self.material, self.site, *key)
        if full not in cache:
            cache[full] = self._compile(*key)
        found: str = cache[full]
        return found

    def _compile(self, document_type: str, versions: bool, sited: bool) -> str:
        relation = doc_table(document_type) if versions else current_view(document_type)
        where = get_visible_clause(
            conn=self.conn,
            principal=self.principal,
            document_type=document_type,
            relation=relation,
            today=self.today,
        )
        query = sa.select(relation).where(where, *self._narrowed(relation, sited=sited))
        compiled = query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True})
        return str(compiled)

    def _narrowed(self, relation: sa.TableClause, *, sited: bool) -> list[sa.ColumnElement[bool]]:
        """The material and (when `sited`) site filters, for the columns `relation` has."""
        found = []
        if self.material is not None and "material_code" in relation.c:
            found.append(relation.c.material_code == self.material)
        sites = [relation.c[name] for name in SITE_COLUMNS if name in relation.c]
        if self.site is not None and sited and sites:
            found.append(sa.or_(*(column == self.site for column in sites)))
        return found

    def table(
        self, document_type: str, *, versions: bool = False, sited: bool = True
    ) -> ibis.Table:
        """Rows of the current versions (or of every version) the caller may see; `sited=False`
        leaves the site filter out (a material's price is not a site's)."""
        key = (document_type, versions, sited)
        if key not in self._tables:
            relation = doc_table(document_type) if versions else current_view(document_type)
            # A stand-in named for what it reads: the compiled query is the same for every
            # caller, and `get_kpi_frame` binds the name to the caller's visible SELECT.
            self._tables[key] = ibis.table(self._schema(relation.name), name=placeholder(key))
            self.read.append(key)
        return self._tables[key]

    def _schema(self, relation: str) -> ibis.Schema:
        """The relation's own schema (no probing query, which some driver versions lack), read
        once per process: migrations, that is code, decide it."""
        key = (self.conn.dialect.name, relation)
        found = _schemas.get(key)
        if found is None:
            found = self.backend.table(relation).schema()
            _schemas.put(key, found)
        return found

    def prices(self) -> ibis.Table:
        """Each material's price: the quantity-weighted average unit price of the purchase and
        sales order lines the caller sees (one currency assumed, as in the simulated chain)."""
        lines = []
        for name in ("purchase_order", "sales_order"):
            t = self.table(name, sited=False)
            lines.append(
                t.select(
                    material_code=t.material_code,
                    quantity=t.quantity.cast("float64"),
                    amount=t.quantity.cast("float64") * t.unit_price.cast("float64"),
                )
            )
        both = ibis.union(*lines)
        return both.group_by("material_code").aggregate(
            price=both.amount.sum() / both.quantity.sum()
        )


Compute = Callable[[Sources, Window], ibis.Table]


@dataclass(frozen=True, kw_only=True)
class KpiDefinition:
    """One KPI: what it means to a business user, and how it is computed.

    `compute` returns one row per partner and period with `partner_id`, `period`, `value` and
    `observations` (how many facts the value rests on).
    """

    kpi_id: str
    name_en: str
    name_zh: str
    formula_en: str
    formula_zh: str
    unit: str
    direction: Direction
    grain: tuple[str, ...]
    sources: tuple[str, ...]
    standard: str
    compute: Compute
    # Whether `compute` summarizes facts one can list (through `summarize`).
    drill: bool = True


def summarize(
    window: Window, facts: ibis.Table, value: Callable[[ibis.Table], ibis.Value]
) -> ibis.Table:
    """Per partner and period: `value` over the facts (columns `partner_id`, `day`, ...); for a
    window of rows, the facts themselves."""
    clipped = window.clip(facts)
    if window.rows:
        return clipped
    return clipped.group_by(["partner_id", "period"]).aggregate(
        value=value(clipped).cast("float64"), observations=clipped.count()
    )


def share(hit: ibis.BooleanValue) -> ibis.Value:
    """Percentage of facts where `hit` holds."""
    return hit.ifelse(1, 0).cast("float64").mean() * 100


def _epoch(stamp: datetime) -> float:  # type: ignore[empty-body]  # a signature: DuckDB runs it
    """DuckDB's `epoch`: the seconds since 1970-01-01 UTC of a moment (a TIMESTAMPTZ's
    instant)."""


_DUCKDB_EPOCH: Final[Callable[[ibis.Value], ibis.FloatingValue]] = ibis.udf.scalar.builtin(
    _epoch, name="epoch"
)


def epoch_seconds(src: Sources, stamp: ibis.TimestampValue) -> ibis.FloatingValue:
    """Seconds since 1970-01-01 UTC of a moment, or of a zoneless timestamp read as UTC."""
    if src.conn.dialect.name == "duckdb":
        # Ibis's own casts a TIMESTAMPTZ to a TIMESTAMP first: the wall clock of the session's
        # time zone (wrong outside UTC), at eight times the cost of reading the instant.
        return _DUCKDB_EPOCH(stamp)
    return stamp.epoch_seconds().cast("float64")


def days_between(later: ibis.Value, earlier: ibis.Value) -> ibis.Value:
    """Whole days from one date to another."""
    return later.delta(earlier, unit="day").cast("float64")


def _collect(definitions: Iterable[KpiDefinition], into: dict[str, KpiDefinition]) -> None:
    for definition in definitions:
        into.setdefault(definition.kpi_id, definition)


@cache
def get_registry() -> dict[str, KpiDefinition]:
    """Every KPI by id: ours first, then those of installed plugins (ours win on a clash)."""
    registry: dict[str, KpiDefinition] = {}
    for family in _FAMILIES:
        module = import_module(f"chainhub.kpi.families.{family}")
        _collect(module.KPIS, registry)
    for point in entry_points(group=ENTRY_POINT_GROUP):
        loaded: Sequence[KpiDefinition] = point.load()
        _collect(loaded, registry)
    return registry
