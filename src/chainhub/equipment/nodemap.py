"""Which OPC UA nodes of a server, or Sparkplug B metrics of a group, carry which machine's
state, counters and signals.

A plant's OPC UA address space is its own (a PLC vendor's tags, a companion specification's
objects), and so are its Sparkplug metric names, so the hub is told, per machine, the node id
or metric name of each value it reads: a TOML file, written once per server or group by the
plant's IT.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chainhub.equipment.schemas import MachineState
from chainhub.errors import ChainhubError

MAX_NODE_MAP_BYTES: Final = 1024 * 1024
# A topic segment: what the MQTT convention allows, so both entries name machines alike.
_SEGMENT: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SIGNALS: Final = ("temperature_c", "vibration_mm_s", "spindle_load_pct")
_M = TypeVar("_M", bound=BaseModel)


class MachineNodes(BaseModel):
    """The node ids (e.g. `ns=2;s=Line1.M01.State`) of one machine's values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: str | None = Field(default=None, description="The machine's state")
    good_total: str | None = Field(default=None, description="Good parts made, cumulative")
    scrap_total: str | None = Field(default=None, description="Scrap parts made, cumulative")
    temperature_c: str | None = None
    vibration_mm_s: str | None = None
    spindle_load_pct: str | None = None

    def named(self) -> dict[str, str]:
        """The mapped values by name, with their node ids."""
        return {name: node for name, node in self.__dict__.items() if node is not None}


class _Machine(BaseModel):
    """One machine: whose it is, where it stands."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    partner: str = Field(pattern=_SEGMENT)
    site: str = Field(pattern=_SEGMENT)
    machine: str = Field(pattern=_SEGMENT)
    ideal_cycle_s: float | None = Field(
        default=None, gt=0, le=86_400, description="Planned run time per unit (s)"
    )
    # PLCs report states as numbers: which number means which state.
    state_codes: dict[str, MachineState] = Field(default_factory=dict, max_length=64)

    def _check(self, named: dict[str, str], what: str) -> None:
        if not named:
            raise ValueError(f"a machine needs at least one {what}")
        counted = "good_total" in named or "scrap_total" in named
        if counted and self.ideal_cycle_s is None:
            raise ValueError("counters need ideal_cycle_s, the planned run time per unit")


class MachineMap(_Machine):
    """One machine read over OPC UA, and its nodes."""

    nodes: MachineNodes

    @model_validator(mode="after")
    def _complete(self) -> MachineMap:
        self._check(self.nodes.named(), "node")
        return self


class NodeMap(BaseModel):
    """Every machine read from one OPC UA server."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    machine: list[MachineMap] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _distinct(self) -> NodeMap:
        seen: set[str] = set()
        for item in self.machine:
            for node in item.nodes.named().values():
                if node in seen:
                    raise ValueError(f"node {node} is mapped twice")
                seen.add(node)
        return self


class SparkplugMachine(_Machine):
    """One machine of a Sparkplug B group: its edge node, its device (none for the node's own
    metrics) and the names of its metrics."""

    edge: str = Field(min_length=1, max_length=128, pattern=r"^[^/+#]+$")
    device: str | None = Field(default=None, min_length=1, max_length=128, pattern=r"^[^/+#]+$")
    metrics: MachineNodes

    @model_validator(mode="after")
    def _complete(self) -> SparkplugMachine:
        self._check(self.metrics.named(), "metric")
        return self


class SparkplugMap(BaseModel):
    """Every machine read from one Sparkplug B group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(min_length=1, max_length=128, pattern=r"^[^/+#]+$")
    machine: list[SparkplugMachine] = Field(min_length=1, max_length=10_000)

    @model_validator(mode="after")
    def _distinct(self) -> SparkplugMap:
        seen: set[tuple[str, str | None, str]] = set()
        for item in self.machine:
            for metric in item.metrics.named().values():
                key = (item.edge, item.device, metric)
                if key in seen:
                    raise ValueError(
                        f"metric {metric} of {item.edge}/{item.device} is mapped twice"
                    )
                seen.add(key)
        return self


def _map_error(path: Path, en: str, zh: str, field: str | None = None) -> ChainhubError:
    details: dict[str, str | int] = {"file": path.name}
    if field:
        details["field"] = field
    return ChainhubError(
        "node_map_invalid", f"node map {path.name}: {en}", f"节点映射 {path.name}：{zh}", details
    )


def load_node_map(path: Path) -> NodeMap:
    """The node map in a TOML file, or a ChainhubError naming the file and what is wrong."""
    return _load(path, NodeMap)


def load_sparkplug_map(path: Path) -> SparkplugMap:
    """The Sparkplug B metric map in a TOML file, or a ChainhubError naming what is wrong."""
    return _load(path, SparkplugMap)


def _load(path: Path, model: type[_M]) -> _M:
    try:
        if path.stat().st_size > MAX_NODE_MAP_BYTES:
            raise _map_error(path, "larger than 1 MiB", "超过 1 MiB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChainhubError(
            "node_map_not_found", f"node map not found: {path}", f"找不到节点映射文件：{path}"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _map_error(path, f"not valid TOML: {exc}", f"不是有效的 TOML：{exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise _map_error(
            path, f"{where}: {message}", f"{where}：{message}", where or None
        ) from None
