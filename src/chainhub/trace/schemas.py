"""Shapes of the EPCIS REST binding's answers that are not EPCIS documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from chainhub.api.responses import ErrorBody
from chainhub.trace.openapi import named_query_schema


class CaptureJob(BaseModel):
    """A capture job as the binding describes it; jobs run within the request, all or nothing."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    capture_id: str = Field(alias="captureID")
    created_at: datetime = Field(alias="createdAt")
    finished_at: datetime = Field(alias="finishedAt")
    running: bool = False
    success: bool
    capture_error_behaviour: Literal["rollback"] = Field(
        default="rollback", alias="captureErrorBehaviour"
    )
    errors: list[str] = Field(default_factory=list)
    event_count: int = Field(alias="eventCount", description="Events in the captured document")
    stored_count: int = Field(
        alias="storedCount", description="Events stored by this job: the others were known"
    )


class ProblemRead(BaseModel):
    """One problem of a captured document: the event (its index) and field, and what."""

    event: int | None
    field: str
    message: str


class InvalidDocumentBody(ErrorBody):
    """A rejected capture: the first problem as the error, and every problem of the document
    (none listed when the body is no EPCIS document at all)."""

    problems: list[ProblemRead] = Field(default_factory=list)


TraceDirection = Literal["backward", "forward", "both"]


class TraceStep(BaseModel):
    """A document or event along a trace: how one lot led to the next."""

    kind: str
    document: str | None
    date: str | None
    quantity: float | None
    unit: str | None


class TraceNode(BaseModel):
    """A lot held by a partner, reached by a trace (`id` is "n<number>")."""

    id: str
    direction: Literal["start", "backward", "forward"]
    depth: int
    partner_id: str
    material_code: str
    lot_number: str
    epc: str | None
    finished: bool
    customer: bool
    via: TraceStep | None
    path: list[str]


class TraceEdge(BaseModel):
    """A link between two nodes of the trace; a hidden partner's node is its label."""

    source: str
    target: str
    step: TraceStep


class HiddenPartner(BaseModel):
    """A partner the caller may not see, shown only as counts."""

    label: str
    lots: int
    customer: bool


class TraceSummary(BaseModel):
    """Counts of a trace, hidden partners included."""

    lots: int
    finished_lots: int
    partners: int
    customers: int
    hidden_partners: int


class TraceResult(BaseModel):
    """A lot's genealogy: the lots upstream and/or downstream, with the documents between them."""

    query: str
    material_code: str | None
    direction: TraceDirection
    nodes: list[TraceNode]
    edges: list[TraceEdge]
    hidden_partners: list[HiddenPartner]
    summary: TraceSummary
    elapsed_ms: float


class RecallLine(BaseModel):
    """Where an affected finished lot is: in stock at a site, or shipped to a partner."""

    material_code: str
    lot_number: str
    status: Literal["in_stock", "shipped"]
    partner: str
    site: str | None
    date: str | None
    quantity: float | None
    unit: str | None
    document: str | None


class RecallReport(BaseModel):
    """The recall report of a lot: its affected finished lots and where each is now."""

    query: str
    affected_lots: int
    customers: int
    lines: list[RecallLine]
    elapsed_ms: float


RecallStatus = Literal["open", "closed"]


class RecallOpen(BaseModel):
    """A request to open a recall case for a lot."""

    model_config = ConfigDict(extra="forbid")

    lot: str = Field(min_length=1, description="Lot number, LGTIN EPC URI or GS1 Digital Link")
    material_code: str | None = Field(default=None, description="When lots share numbers")
    reason: str | None = Field(default=None, max_length=2000, description="Why it is recalled")


class RecallAcknowledge(BaseModel):
    """An affected partner's answer to a recall: what it blocked or returned."""

    model_config = ConfigDict(extra="forbid")

    quantity: float = Field(ge=0, description="Quantity blocked or returned")
    unit: str | None = Field(default=None, max_length=20, description="Unit of the quantity")
    note: str | None = Field(default=None, max_length=2000, description="What was done")


class RecallLot(BaseModel):
    """An affected lot a partner holds or has received."""

    material_code: str
    lot_number: str


class RecallPartnerLine(BaseModel):
    """An affected partner's line of a recall case."""

    partner_id: str
    lots: list[RecallLot]
    notified_at: datetime
    acknowledged_at: datetime | None
    quantity: float | None
    unit: str | None
    note: str | None


class RecallCaseRead(BaseModel):
    """A recall case as the caller may see it: the lines it may see, counts of all, the KPIs."""

    recall_id: str
    lot_number: str
    material_code: str | None
    reason: str | None
    opened_by: str | None = Field(description="Opening partner (none: the hub admin, or hidden)")
    opened_at: datetime
    status: RecallStatus
    closed_at: datetime | None
    affected_lots: int
    partners: int = Field(description="Affected partners, including those not shown")
    acknowledged: int = Field(description="Affected partners that acknowledged")
    closure_share: float = Field(description="Share of affected partners that acknowledged")
    time_to_trace_ms: float = Field(description="From opening to the trace being computed")
    time_to_close_days: float | None = Field(description="From opening to closing")
    lines: list[RecallPartnerLine]


class RecallKpis(BaseModel):
    """The recall KPIs over the cases the caller may see: how fast the affected set was
    computed, and how far the cases closed."""

    cases: int
    open: int
    closed: int
    time_to_trace_ms_p50: float | None = Field(description="Median, opening to trace computed")
    time_to_trace_ms_max: float | None
    closure_share_mean: float | None = Field(description="Mean share of partners acknowledged")
    days_to_close_p50: float | None = Field(description="Median over the closed cases")


def _declared_query(schema: dict[str, Any]) -> None:
    """A named query's `query` published as the hub checks it, not as any object."""
    schema.clear()
    schema.update(named_query_schema())


QUERY_NAME_PATTERN = r"^[A-Za-z0-9._~-]{1,128}$"


class NamedQueryCreate(BaseModel):
    """The binding's CreateQuery body: a name (unreserved URL characters, as it becomes a path
    segment) and a query as query-schema.json describes it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "name": "UniqueQueryName",
        "query": {"eventType": ["ObjectEvent"], "EQ_bizStep": ["shipping", "receiving"]},
    }})  # fmt: skip

    name: str = Field(pattern=QUERY_NAME_PATTERN)
    query: dict[str, Any] = Field(json_schema_extra=_declared_query)


class NamedQueryRead(BaseModel):
    """A named query as the binding lists it; `partnerID` only in the hub admin's listing."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    name: str
    query: dict[str, Any]
    partner_id: str | None = Field(default=None, alias="partnerID")


class QuerySubscriptionCreate(BaseModel):
    """The binding's webhook subscription: a destination, an optional signature token, and
    `stream: true` or a `schedule` (query-schedule.json)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra={
        "example": {"dest": "https://client.example.com/queryCallback",
                    "signatureToken": "13df38d8275b13f05704629e5f1cf3d45d6132d5",
                    "stream": True},
    })  # fmt: skip

    dest: str = Field(min_length=1, max_length=2048)
    signature_token: str | None = Field(default=None, alias="signatureToken", max_length=512)
    report_if_empty: bool = Field(default=False, alias="reportIfEmpty")
    stream: bool | None = None
    schedule: dict[str, str] | None = None
    initial_record_time: AwareDatetime | None = Field(default=None, alias="initialRecordTime")


class QuerySubscriptionRead(BaseModel):
    """A query subscription as the binding answers it: never its signature token."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    subscription_id: str = Field(alias="subscriptionID")
    query_name: str = Field(alias="queryName")
    dest: str
    stream: bool | None = None
    schedule: dict[str, str] | None = None
    report_if_empty: bool = Field(alias="reportIfEmpty")
    initial_record_time: datetime | None = Field(default=None, alias="initialRecordTime")
    min_record_time: datetime | None = Field(default=None, alias="minRecordTime")
    created_at: datetime = Field(alias="createdAt")
    last_notified_at: datetime | None = Field(default=None, alias="lastNotifiedAt")


class IdentifierRead(BaseModel):
    """An identifier read and checked: its scheme, its canonical URI (the form events and
    traces hold) and its parts."""

    scheme: str = Field(description="gtin, sgtin, lgtin, sscc, gs1, handle, ecode or nmpa")
    text: str
    uri: str = Field(description="Canonical URI: GS1 Digital Link, hdl: or urn:chainhub:")
    parts: dict[str, str]
    class_level: bool = Field(description="Names a product or a lot, not one object")


class ScanRead(BaseModel):
    """One final scan (sold, dispensed) of a code; place and partner hidden when not the
    caller's own."""

    event_id: str
    event_time: datetime
    biz_step: str
    place: str | None
    partner_id: str | None


class DuplicateScanRead(BaseModel):
    """A code scanned at its end in more than one place: a copied or re-used code."""

    epc: str
    places: int
    scans: list[ScanRead]
