"""A line of simulated machines: states, counts and signals, with failures planted after a
degradation (vibration and temperature drift) that the ground truth records."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Final

from chainhub.equipment.schemas import MachineState
from chainhub.equipment.topics import Topic

STEP_S: Final = 10  # one signal sample per machine every 10 s of machine time
COUNT_EVERY_S: Final = 60
# Plants report local time with its offset; the hub keeps UTC.
PLANT_TIME: Final = timezone(timedelta(hours=8))
BREAK_EVERY_S: Final = 4 * 3600  # a planned 30-minute stop every four hours
BREAK_S: Final = 1800
IDLE_REASONS: Final = ("no material", "no operator", "waiting for inspection")
BREAKDOWN_REASONS: Final = ("spindle bearing", "coolant pump", "tool changer")


@dataclass(frozen=True, slots=True)
class Message:
    """One message as a machine publishes it."""

    topic: str
    payload: bytes
    machine_time: datetime


@dataclass(frozen=True, slots=True)
class PlantedFailure:
    """A breakdown the simulator planted, and when the machine began to degrade before it."""

    partner_id: str
    site_id: str
    machine_id: str
    degradation_start: datetime
    failure_at: datetime
    repaired_at: datetime
    reason: str


@dataclass
class _Machine:
    """One machine's running condition while it is simulated."""

    topic: Topic
    rng: random.Random
    ideal_cycle_s: float
    speed_loss: float
    next_failure_s: float
    lead_s: float
    seq: int = 0
    state: str = ""
    reason: str | None = None
    until_s: float = 0.0
    progress: float = 0.0
    good: int = 0
    scrap: int = 0
    vibration_base: float = 1.8
    drift_to: float = 3.0
    messages: list[Message] = field(default_factory=list)
    failures: list[PlantedFailure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SimulatedLine:
    """Every message of the run in machine-time order, and the planted failures."""

    messages: list[Message]
    failures: list[PlantedFailure]

    def truth_json(self) -> str:
        """The ground truth as JSON: each planted failure with its degradation start."""
        return json.dumps(
            [
                {
                    "partner_id": f.partner_id,
                    "site_id": f.site_id,
                    "machine_id": f.machine_id,
                    "degradation_start": f.degradation_start.isoformat(),
                    "failure_at": f.failure_at.isoformat(),
                    "repaired_at": f.repaired_at.isoformat(),
                    "reason": f.reason,
                }
                for f in self.failures
            ],
            indent=2,
        )


def _emit(m: _Machine, at: datetime, kind: str, values: Mapping[str, object]) -> None:
    m.seq += 1
    body = {"id": str(m.seq), "ts": at.astimezone(PLANT_TIME).isoformat(), **values}
    topic = Topic(m.topic.partner_id, m.topic.site_id, m.topic.machine_id, kind)  # type: ignore[arg-type]
    m.messages.append(Message(str(topic), json.dumps(body).encode(), at))


def _plan_failure(m: _Machine, after_s: float, mean_gap_s: float) -> None:
    m.lead_s = m.rng.uniform(2700, 9000)
    m.next_failure_s = after_s + m.lead_s + m.rng.uniform(0.3, 1.7) * mean_gap_s
    m.drift_to = m.rng.uniform(2.5, 4.0)


def _next_state(
    m: _Machine, t: float, start: datetime, mean_gap_s: float
) -> tuple[str, str | None]:
    """The state at `t` seconds into the run (starting stops, repairs and breakdowns)."""
    if t % BREAK_EVERY_S >= BREAK_EVERY_S - BREAK_S:
        return MachineState.PLANNED_STOP, "break"
    if t < m.until_s and m.state != MachineState.RUNNING:
        return m.state, m.reason
    if t >= m.next_failure_s:
        repair = m.rng.uniform(1200, 5400)
        reason = m.rng.choice(BREAKDOWN_REASONS)
        m.until_s = t + repair
        m.failures.append(
            PlantedFailure(
                m.topic.partner_id,
                m.topic.site_id,
                m.topic.machine_id,
                start + timedelta(seconds=m.next_failure_s - m.lead_s),
                start + timedelta(seconds=t),
                start + timedelta(seconds=t + repair),
                reason,
            )
        )
        _plan_failure(m, t + repair, mean_gap_s)
        return MachineState.BREAKDOWN, reason
    draw = m.rng.random()
    if draw < STEP_S / 1800:  # a micro-stop about every half hour of running
        m.until_s = t + m.rng.choice((20, 30, 60, 90))
        return MachineState.MICRO_STOP, "jam"
    if draw < STEP_S / 1800 + STEP_S / 10800:  # waiting about every three hours
        m.until_s = t + m.rng.uniform(300, 1800)
        return MachineState.IDLE, m.rng.choice(IDLE_REASONS)
    return MachineState.RUNNING, None


def _degradation(m: _Machine, t: float) -> float:
    """0 when healthy, rising to 1 at the planted failure (faster towards the end)."""
    begin = m.next_failure_s - m.lead_s
    if t < begin:
        return 0.0
    return float(min(1.0, (t - begin) / m.lead_s) ** 2)


def _signals(m: _Machine, t: float, at: datetime) -> None:
    wear = _degradation(m, t)
    running = m.state in (MachineState.RUNNING, MachineState.MICRO_STOP)
    load = m.rng.gauss(65, 5) * (1 + 0.15 * wear) if running else m.rng.uniform(0, 3)
    vibration = (m.vibration_base if running else 0.3) * (1 + (m.drift_to - 1) * wear)
    temperature = 38 + 0.2 * load + 12 * wear + m.rng.gauss(0, 0.3)
    _emit(
        m,
        at,
        "signal",
        {
            "temperature_c": round(temperature, 2),
            "vibration_mm_s": round(max(0.0, vibration + m.rng.gauss(0, 0.12)), 3),
            "spindle_load_pct": round(max(0.0, load), 1),
        },
    )


def _produce(m: _Machine, t: float, at: datetime) -> None:
    if m.state == MachineState.RUNNING:
        m.progress += STEP_S / (m.ideal_cycle_s * m.speed_loss)
        while m.progress >= 1:
            m.progress -= 1
            scrap_rate = 0.02 + 0.06 * _degradation(m, t)
            if m.rng.random() < scrap_rate:
                m.scrap += 1
            else:
                m.good += 1
    if t % COUNT_EVERY_S == 0 and m.good + m.scrap:
        values = {"good": m.good, "scrap": m.scrap, "ideal_cycle_s": m.ideal_cycle_s}
        _emit(m, at, "count", values)
        m.good = m.scrap = 0


def simulate_machine(m: _Machine, *, start: datetime, seconds: int, mean_gap_s: float) -> _Machine:
    """Step one machine through the run."""
    for t in range(0, seconds, STEP_S):
        at = start + timedelta(seconds=t)
        state, reason = _next_state(m, float(t), start, mean_gap_s)
        if (state, reason) != (m.state, m.reason):
            m.state, m.reason = state, reason
            _emit(m, at, "state", {"state": str(state), "reason": reason})
        _produce(m, float(t), at)
        _signals(m, float(t), at)
    return m


def simulate_line(
    *,
    partner_id: str,
    site_id: str,
    machines: int,
    minutes: int,
    start: datetime,
    seed: int = 7,
    mean_hours_between_failures: float = 8.0,
    machine_ids: Sequence[str] = (),
) -> SimulatedLine:
    """Simulate `machines` machines of one site for `minutes` of machine time from `start`,
    named `machine_ids` when given (else M001, M002...)."""
    gap = mean_hours_between_failures * 3600
    names = list(machine_ids) or [f"M{i + 1:03d}" for i in range(machines)]
    simulated = []
    for i in range(len(names)):
        rng = random.Random(seed * 1_000 + i)  # noqa: S311 - a seeded simulation, not security
        m = _Machine(
            topic=Topic(partner_id, site_id, names[i], "state"),
            rng=rng,
            ideal_cycle_s=rng.choice((30.0, 45.0, 60.0, 90.0)),
            speed_loss=rng.uniform(1.03, 1.12),
            next_failure_s=0.0,
            lead_s=0.0,
            vibration_base=rng.uniform(1.5, 2.2),
        )
        _plan_failure(m, 0.0, gap)
        simulated.append(simulate_machine(m, start=start, seconds=minutes * 60, mean_gap_s=gap))
    messages = sorted(
        (msg for m in simulated for msg in m.messages), key=lambda msg: msg.machine_time
    )
    return SimulatedLine(messages, [f for m in simulated for f in m.failures])
