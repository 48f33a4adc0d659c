"""Shapes of equipment telemetry: the MQTT payloads, what was stored, and OEE reports."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class MachineState(StrEnum):
    """What a machine is doing, as it reports it."""

    RUNNING = "running"
    IDLE = "idle"
    PLANNED_STOP = "planned_stop"
    MICRO_STOP = "micro_stop"
    BREAKDOWN = "breakdown"
    # Not observed: a Sparkplug death certificate (the machine or its edge node went away).
    OFFLINE = "offline"


class _Payload(BaseModel):
    """What every message carries: the machine's own message id and timestamp."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64, description="Message id, unique per machine")
    ts: AwareDatetime = Field(description="Machine time with its offset")


class StatePayload(_Payload):
    """The machine entered `state` at `ts` (a reason for stops, e.g. `spindle`, `no material`)."""

    state: MachineState
    reason: str | None = Field(default=None, max_length=100)


class CountPayload(_Payload):
    """Parts made since the machine's previous count message, and the programmed cycle time."""

    good: int = Field(ge=0, le=1_000_000)
    scrap: int = Field(ge=0, le=1_000_000)
    ideal_cycle_s: float = Field(gt=0, le=86_400, description="Planned run time per unit (s)")


class SignalPayload(_Payload):
    """Sensor values sampled at `ts`; at least one of them."""

    temperature_c: float | None = Field(default=None, ge=-50, le=500)
    vibration_mm_s: float | None = Field(default=None, ge=0, le=1_000)
    spindle_load_pct: float | None = Field(default=None, ge=0, le=300)

    @model_validator(mode="after")
    def _some_value(self) -> SignalPayload:
        if (
            self.temperature_c is None
            and self.vibration_mm_s is None
            and (self.spindle_load_pct is None)
        ):
            raise ValueError("a signal needs temperature_c, vibration_mm_s or spindle_load_pct")
        return self


Payload = StatePayload | CountPayload | SignalPayload


class Rejected(BaseModel):
    """A message that broke the conventions, kept aside with the reason."""

    received_at: datetime
    topic: str
    payload: str
    reason: str


class StoreResult(BaseModel):
    """What one batch did: messages stored, duplicates dropped, malformed ones kept aside."""

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0

    def summary(self) -> str:
        """`12 stored, 1 duplicates dropped, 0 malformed kept aside`."""
        return (
            f"{self.stored:,} stored, {self.duplicates:,} duplicates dropped, "
            f"{self.rejected:,} malformed kept aside"
        )

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(
            stored=self.stored + other.stored,
            duplicates=self.duplicates + other.duplicates,
            rejected=self.rejected + other.rejected,
        )


class OeeRead(BaseModel):
    """ISO 22400-2 time elements and indicators of one machine over one day (UTC) or shift."""

    partner_id: str
    site_id: str
    machine_id: str
    day: date
    shift: int | None = Field(default=None, description="Shift 1-3 (00-08, 08-16, 16-24 UTC)")
    planned_busy_s: float = Field(description="PBT: the period less planned stops")
    actual_production_s: float = Field(description="APT: running and micro-stops")
    down_s: float = Field(description="ADOT: breakdowns")
    delay_s: float = Field(description="ADET: idle (waiting)")
    planned_down_s: float = Field(description="PDOT: planned stops")
    produced: int = Field(description="PQ: good and scrap")
    good: int = Field(description="GQ")
    planned_run_s: float = Field(description="PRU x PQ")
    availability: float | None
    performance: float | None
    quality: float | None
    oee: float | None
    failures: int
    mtbf_s: float | None = Field(description="APT per failure")
    mttr_s: float | None = Field(description="Breakdown time per failure")


class DowntimeRead(BaseModel):
    """One reason of lost time over the period, for the Pareto (largest first)."""

    state: MachineState
    reason: str
    seconds: float
    stops: int
    share: float
    cumulative_share: float


class OeeReport(BaseModel):
    """OEE per machine and day (or shift), and the downtime Pareto over them."""

    rows: list[OeeRead]
    downtime: list[DowntimeRead]


class WarningRead(BaseModel):
    """A machine's vibration rose above its own recent baseline: a failure may be coming."""

    partner_id: str
    machine_id: str
    warned_at: datetime
    ratio: float = Field(description="5-minute vibration level over the 2-hour baseline")
