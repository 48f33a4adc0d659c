"""The OPC UA reader against a real asyncua server on localhost: states, counters, signals."""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
import typer
from asyncua import Server, ua
from asyncua.ua.uaerrors import BadNodeIdUnknown
from typer.testing import CliRunner

from chainhub.cli import telemetry
from chainhub.equipment.models import equipment_messages
from chainhub.equipment.nodemap import NodeMap, load_node_map
from chainhub.equipment.opcua import OpcUaReader
from chainhub.equipment.service import list_rejects
from chainhub.errors import ChainhubError
from chainhub.schedule.service import do_run_schedule
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade
from tests.schedule.chain import MAKER, NOW, SITE, load_orders
from tests.support import SmallChain

T = TypeVar("T")
JINLI = "jinli-motor"
NAMESPACE = "urn:jinli-motor:line1"
NODE_MAP = f"""
[[machine]]
partner = "{JINLI}"
site = "jinli-ningbo"
machine = "M01"
ideal_cycle_s = 30.0
[machine.nodes]
state = "ns=2;s=M01.State"
good_total = "ns=2;s=M01.Good"
scrap_total = "ns=2;s=M01.Scrap"
temperature_c = "ns=2;s=M01.Temperature"
[machine.state_codes]
0 = "idle"
1 = "running"
4 = "breakdown"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Plc:
    """A PLC's OPC UA server on its own event loop thread; each test adds its own machine."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = Server()
        self._call(self._start())

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(60)

    async def _start(self) -> None:
        # Loading OPC UA's standard address space takes seconds: one server per module.
        await self.server.init()
        self.server.set_endpoint(self.endpoint)
        assert await self.server.register_namespace(NAMESPACE) == 2
        await self.server.start()

    def add_machine(self, machine: str) -> None:
        """Nodes `ns=2;s=<machine>.State|Good|Scrap|Temperature` with their first values."""
        self._call(self._add(machine))

    async def _add(self, machine: str) -> None:
        first = (("State", 0), ("Good", 1000), ("Scrap", 7), ("Temperature", 41.5))
        try:
            await self.server.get_node(ua.NodeId(machine, 2)).read_browse_name()
        except BadNodeIdUnknown:
            pass
        else:  # added by an earlier test: back to its first values
            for name, value in first:
                await self.write(f"{machine}.{name}", value)
            return
        parent = await self.server.nodes.objects.add_object(ua.NodeId(machine, 2), machine)
        for name, value in first:
            await parent.add_variable(
                ua.NodeId(f"{machine}.{name}", 2), name, _variant(name, value)
            )

    def set_now(self, node: str, value: float) -> None:
        """Change a value from outside any event loop."""
        asyncio.run_coroutine_threadsafe(self.write(node, value), self.loop).result(10)

    async def write(self, node: str, value: float) -> None:
        """Change a value, as the machine would."""
        name = node.rsplit(".", 1)[1]
        work = self.server.write_attribute_value(
            ua.NodeId(node, 2), ua.DataValue(_variant(name, value))
        )
        if asyncio.get_running_loop() is self.loop:
            await work
        else:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))

    def stop(self) -> None:
        self._call(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _variant(name: str, value: float) -> ua.Variant:
    kind = ua.VariantType.Double if name == "Temperature" else ua.VariantType.Int64
    return ua.Variant(float(value) if name == "Temperature" else int(value), kind)


@pytest.fixture(scope="module")
def plc() -> Iterator[Plc]:
    server = Plc()
    try:
        yield server
    finally:
        server.stop()


def _node_map(tmp_path: Path, machine: str, text: str = NODE_MAP) -> NodeMap:
    path = tmp_path / "line1.toml"
    path.write_text(text.replace("M01", machine), encoding="utf-8")
    return load_node_map(path)


def _read(
    engine: sa.Engine, plc: Plc, node_map: NodeMap, script: Callable[[], Awaitable[None]]
) -> OpcUaReader:
    async def main() -> OpcUaReader:
        reader = OpcUaReader(
            engine=engine, endpoint=plc.endpoint, node_map=node_map, flush_seconds=0.05,
            sampling_ms=10,
        )  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(reader.run(stop=stop))
        ready = asyncio.create_task(reader.ready.wait())
        await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            await task  # raises what stopped the reader
        await asyncio.sleep(0.2)  # the initial values arrive
        await script()
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.wait_for(task, 10)
        return reader

    return asyncio.run(main())


def _rows(engine: sa.Engine) -> list[sa.Row[tuple[object, ...]]]:
    with engine.connect() as conn:
        query = sa.select(equipment_messages).order_by(equipment_messages.c.machine_time)
        return list(conn.execute(query))


_machines = itertools.count(1)


def _machine(plc: Plc) -> str:
    """A machine of its own for each test, on the module's server."""
    machine = f"M{next(_machines):02d}"
    plc.add_machine(machine)
    return machine


def test_changes_become_telemetry_rows(engine: sa.Engine, plc: Plc, tmp_path: Path) -> None:
    machine = _machine(plc)

    async def shift() -> None:
        """The machine starts, makes 12 good and 1 scrap part, warms up, then breaks down."""
        for name, value in (("State", 1), ("Good", 1012), ("Scrap", 8), ("Temperature", 55)):
            await plc.write(f"{machine}.{name}", value)
            await asyncio.sleep(0.05)
        await plc.write(f"{machine}.State", 4)

    reader = _read(engine, plc, _node_map(tmp_path, machine), shift)
    rows = _rows(engine)
    states = [r.state for r in rows if r.kind == "state"]
    assert states == ["idle", "running", "breakdown"]
    counts = [(r.good, r.scrap, r.ideal_cycle_s) for r in rows if r.kind == "count"]
    # The counters' first readings are their baseline; then the parts made since.
    assert sorted(counts) == [(0, 1, 30.0), (12, 0, 30.0)]
    temperatures = [r.temperature_c for r in rows if r.kind == "signal"]
    assert temperatures == [41.5, 55.0]
    assert {(r.partner_id, r.site_id, r.machine_id) for r in rows} == {
        (JINLI, "jinli-ningbo", machine)
    }
    assert reader.total.stored == len(rows) == 7


def test_a_counter_reset_counts_from_zero_and_an_unmapped_state_is_kept_aside(
    engine: sa.Engine, plc: Plc, tmp_path: Path
) -> None:
    machine = _machine(plc)

    async def shift() -> None:
        await plc.write(f"{machine}.Good", 3)  # the PLC restarted its counter
        await asyncio.sleep(0.05)
        await plc.write(f"{machine}.State", 9)

    _read(engine, plc, _node_map(tmp_path, machine), shift)
    assert [r.good for r in _rows(engine) if r.kind == "count"] == [3]
    with engine.connect() as conn:
        rejects = list_rejects(conn=conn, limit=10)
    assert len(rejects) == 1
    assert rejects[0].topic == f"chainhub/{JINLI}/jinli-ningbo/{machine}/state"
    assert rejects[0].reason.startswith("state:")


def test_a_missing_node_is_named(engine: sa.Engine, plc: Plc, tmp_path: Path) -> None:
    machine = _machine(plc)
    node_map = _node_map(tmp_path, machine, NODE_MAP.replace("M01.Temperature", "M01.Temp"))

    async def nothing() -> None:
        return None

    with pytest.raises(ChainhubError) as raised:
        _read(engine, plc, node_map, nothing)
    assert raised.value.code == "opcua_node_unreadable"
    assert f"{machine} temperature_c (ns=2;s={machine}.Temp)" in raised.value.message_en


def test_an_unreachable_server_is_a_clear_error(engine: sa.Engine, tmp_path: Path) -> None:
    endpoint = f"opc.tcp://127.0.0.1:{_free_port()}/"
    reader = OpcUaReader(engine=engine, endpoint=endpoint, node_map=_node_map(tmp_path, "M01"))
    with pytest.raises(ChainhubError) as raised:
        asyncio.run(reader.run(stop=asyncio.Event()))
    assert raised.value.code == "opcua_unreachable"
    assert endpoint in raised.value.message_zh


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("ideal_cycle_s = 30.0\n", "", "counters need ideal_cycle_s"),
        ("ns=2;s=M01.Good", "ns=2;s=M01.State", "mapped twice"),
        ('site = "jinli-ningbo"', 'site = "宁波/一厂"', "machine.0.site"),
        ("[machine.nodes]", "[machine.nodez]", "machine.0.nodes"),
        ("ideal_cycle_s = 30.0", "ideal_cycle_s = ", "not valid TOML"),
    ],
)
def test_a_bad_node_map_names_the_file_and_what_is_wrong(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(NODE_MAP.replace(old, new), encoding="utf-8")
    with pytest.raises(ChainhubError) as raised:
        load_node_map(path)
    assert raised.value.code == "node_map_invalid"
    assert "bad.toml" in raised.value.message_en and "bad.toml" in raised.value.message_zh
    assert said in raised.value.message_en


def test_the_command_reads_for_its_duration(database_url: str, plc: Plc, tmp_path: Path) -> None:
    machine = _machine(plc)
    path = tmp_path / "line1.toml"
    path.write_text(NODE_MAP.replace("M01", machine), encoding="utf-8")
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs two commands to keep `telemetry` as a name
    telemetry.register(app)
    runner = CliRunner()
    reading = ["telemetry", "opcua", "--endpoint", plc.endpoint, "--map", str(path)]
    done = runner.invoke(app, [*reading, "--db", database_url, "--duration", "1"])
    assert done.exit_code == 0, done.output
    # The initial values: a state, a temperature; the counters' first readings are baselines.
    assert "2 stored" in done.output
    wrong = runner.invoke(app, ["telemetry", "opcua", "--endpoint", "http://x", "--map", str(path)])
    assert wrong.exit_code == 2 and "opc.tcp://" in wrong.output
    # Wide enough for the whole path (a worker's tmp_path is long) in the usage error's panel.
    missing = runner.invoke(
        app, [*reading[:5], "--map", str(tmp_path / "none.toml")], env={"COLUMNS": "300"}
    )
    assert missing.exit_code == 2 and "none.toml" in missing.output


def test_a_breakdown_read_over_opc_ua_replans_the_site(
    database_url: str, plc: Plc, small_chain: SmallChain, tmp_path: Path
) -> None:
    hub = create_engine_for(database_url)
    do_upgrade(engine=hub)
    load_orders(hub, small_chain, tmp_path)
    with hub.begin() as conn:
        do_run_schedule(conn=conn, site_id=SITE, now=NOW, seconds=2)
    hub.dispose()  # the command owns the database now
    plc.add_machine("WC-01.1")
    path = tmp_path / "plant.toml"
    text = NODE_MAP.replace("M01", "WC-01.1").replace(JINLI, MAKER).replace("jinli-ningbo", SITE)
    path.write_text(text, encoding="utf-8")
    # The machine breaks down while the hub reads it.
    breaks = threading.Timer(1.0, lambda: plc.set_now("WC-01.1.State", 4))
    breaks.start()
    app = typer.Typer()
    app.command("noop")(lambda: None)
    telemetry.register(app)
    reading = ["telemetry", "opcua", "--endpoint", plc.endpoint, "--map", str(path)]
    done = CliRunner().invoke(app, [*reading, "--db", database_url, "--duration", "4"])
    breaks.join()
    assert done.exit_code == 0, done.output
    assert f"{SITE}: re-planned" in done.output
