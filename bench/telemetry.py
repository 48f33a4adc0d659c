"""Telemetry ingest through a real Mosquitto: messages per second stored by chainhub's
subscriber (parse, validate, batch, store once, acknowledge after commit) next to a bare paho
subscriber that only counts what arrives (the anchor: stock paho's own receive loop, which
builds a message per packet and acknowledges each on its own; chainhub's reads in bulk and
acknowledges a batch at once, so the ratio can pass 1), the query time of a day's OEE, and the
failure early warning against the simulator's planted failures (share warned ahead, median
lead time, false alarms per machine-month), and the maintenance windows co-control opens from
those warnings as the line's telemetry is stored batch by batch (lead time from the window's
opening to the failure; failures inside, before and after a window).

Both subscribers open their persistent sessions first; then a simulated line's messages are
published once and wait in the broker for both, so each drain is timed on its own, free of the
publisher's pace. Nothing may be lost: the stored count must equal what was published.

    python bench/telemetry.py [--smoke] [--machines N] [--minutes M] [--db URL]
                              [--warn-machines N] [--warn-days D] [--maintenance-minutes M]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import socket
import subprocess
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import polars as pl
import sqlalchemy as sa

from chainhub.control.service import do_plan_maintenance
from chainhub.equipment.broker import connect, new_client
from chainhub.equipment.parse import parse_message, split_parsed
from chainhub.equipment.publish import publish_messages
from chainhub.equipment.service import count_messages, do_store_telemetry, get_oee
from chainhub.equipment.simulate import SimulatedLine, simulate_line
from chainhub.equipment.subscriber import TelemetrySubscriber
from chainhub.equipment.topics import SUBSCRIPTION
from chainhub.equipment.warning import detect_warnings, score_warnings
from chainhub.schedule.schemas import DowntimeWindow
from chainhub.storage.engine import create_engine_for
from chainhub.storage.migrate import do_upgrade

MOSQUITTO: Final = "/usr/sbin/mosquitto"
START: Final = datetime(2026, 3, 2, tzinfo=UTC)
PARTNER: Final = "haichuan"
SITE: Final = "haichuan-foshan"
# The live subscriber stores every 0.2 s; replayed history is stored in 10 minutes of machine
# time per batch, the hub's "now" being the batch's last machine time.
REPLAY_BATCH: Final = timedelta(minutes=10)


def _broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    conf = folder / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\n"
        f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
        # Every message waits for both sessions, however many.
        "max_queued_messages 0\nmax_queued_bytes 0\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(500):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.01)
    raise SystemExit(f"mosquitto did not start on port {port}")


class _Counter:
    """The anchor: a persistent QoS 1 session that counts messages and does nothing else."""

    def __init__(self, port: int) -> None:
        self.count = 0
        self.port = port
        self.subscribed = threading.Event()
        self.client = new_client("bench-anchor")
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message

    def _on_connect(self, client: Any, *_: Any) -> None:
        client.subscribe(SUBSCRIPTION, qos=1)

    def _on_message(self, *_: Any) -> None:
        self.count += 1

    def open(self) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 3600
        properties.ReceiveMaximum = 65_535
        connect(self.client, "127.0.0.1", self.port, clean_start=False, properties=properties)
        self.client.loop_start()
        self.subscribed.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _until(condition: Any, timeout: float, began: float) -> float:
    """Seconds from `began` until `condition` holds."""
    while not condition():
        if time.perf_counter() - began > timeout:
            raise SystemExit("timed out: messages were lost")
        time.sleep(0.005)
    return time.perf_counter() - began


def _hub(engine: sa.Engine, port: int) -> TelemetrySubscriber:
    subscriber = TelemetrySubscriber(engine=engine, host="127.0.0.1", port=port, client_id="hub")
    subscriber.start()
    subscriber.ready.wait(10)
    return subscriber


def _drain_hub(engine: sa.Engine, port: int, expected: int) -> float:
    began = time.perf_counter()
    subscriber = _hub(engine, port)
    stop = threading.Event()
    thread = threading.Thread(target=subscriber.run, kwargs={"stop": stop})
    thread.start()
    seconds = _until(lambda: subscriber.total.stored >= expected, 600, began)
    stop.set()
    thread.join()
    return seconds


def _early_warning(machines: int, days: int) -> SimulatedLine:
    """Warnings on a simulated line's vibration, scored against its planted failures; the line
    (its machines named as work centre WC-01's, so co-control links them)."""
    line = simulate_line(
        partner_id=PARTNER,
        site_id=SITE,
        machines=machines,
        minutes=days * 1440,
        start=START,
        seed=11,
        machine_ids=[f"WC-01.{i + 1}" for i in range(machines)],
    )
    rows = []
    for message in line.messages:
        if message.topic.endswith("/signal"):
            body = json.loads(message.payload)
            _, partner, _, machine, _ = message.topic.split("/")
            at, vibration = message.machine_time, body["vibration_mm_s"]
            rows.append((partner, machine, at, vibration, body["spindle_load_pct"]))
    signals = pl.DataFrame(
        rows,
        schema={
            "partner_id": pl.String,
            "machine_id": pl.String,
            "machine_time": pl.Datetime("us", "UTC"),
            "vibration_mm_s": pl.Float64,
            "spindle_load_pct": pl.Float64,
        },
        orient="row",
    )
    failures = [(f.machine_id, f.degradation_start, f.failure_at) for f in line.failures]
    score = score_warnings(detect_warnings(signals), failures, machine_days=machines * days)
    lead = "none" if score.median_lead is None else f"{score.median_lead.total_seconds() / 60:.0f}"
    print(
        f"early warning: {score.warned} of {score.failures} planted failures warned ahead "
        f"({score.share_warned:.0%}), median lead {lead} min, {score.false_alarms} false alarms "
        f"({score.false_alarms_per_machine_month:.2f} per machine-month) on {machines} machines "
        f"x {days} days"
    )
    return line


def _replay_windows(line: SimulatedLine, folder: Path, length: timedelta) -> list[DowntimeWindow]:
    """Store the line's messages batch by batch as the subscriber would, opening co-control's
    maintenance windows after each batch; every window opened."""
    engine = create_engine_for(f"duckdb:///{folder / 'maintenance.duckdb'}")
    opened: list[DowntimeWindow] = []
    try:
        do_upgrade(engine=engine)
        batch_end, batch = START + REPLAY_BATCH, []
        for message in [*line.messages, None]:
            if message is not None and message.machine_time < batch_end:
                batch.append(message)
                continue
            rows, _ = split_parsed(
                parse_message(topic=m.topic, payload=m.payload, received_at=m.machine_time)
                for m in batch
            )
            if rows:
                with engine.begin() as conn:
                    do_store_telemetry(conn=conn, rows=rows)
                    found = do_plan_maintenance(
                        conn=conn, rows=rows, makers={SITE: PARTNER},
                        now=max(r["machine_time"] for r in rows), length=length,
                    )  # fmt: skip
                opened += [window for _, window in found]
            if message is None:
                break
            batch_end = message.machine_time + REPLAY_BATCH
            batch = [message]
    finally:
        engine.dispose()
    return opened


def _maintenance(line: SimulatedLine, folder: Path, minutes: int) -> None:
    """Co-control's maintenance windows against the planted failures."""
    length = timedelta(minutes=minutes)
    began = time.perf_counter()
    windows = _replay_windows(line, folder, length)
    took = time.perf_counter() - began
    leads, inside, before, after, matched = [], 0, 0, 0, set()
    for failure in line.failures:
        machine = failure.machine_id.replace(".", "#")
        degrading = (failure.degradation_start, failure.failure_at)
        ahead = sorted(
            (
                w
                for w in windows
                if w.machine == machine and degrading[0] <= w.start_at < degrading[1]
            ),
            key=lambda w: w.start_at,
        )
        if not ahead:
            before += 1
            continue
        matched.update(w.downtime_id for w in ahead)
        leads.append((failure.failure_at - ahead[0].start_at).total_seconds() / 60)
        if failure.failure_at < ahead[-1].end_at:
            inside += 1
        else:
            after += 1
    lead = f"{sorted(leads)[len(leads) // 2]:.0f}" if leads else "none"
    shortest = f"{min(leads):.0f}" if leads else "none"
    print(
        f"maintenance windows ({minutes} min, from the warning): {len(windows)} opened, "
        f"{len(windows) - len(matched)} with no failure coming; of {len(line.failures)} planted "
        f"failures {inside} inside a window, {after} after their window ended, {before} before "
        f"any window; lead from window opening to failure median {lead} min, shortest "
        f"{shortest} min (replayed in {REPLAY_BATCH.total_seconds() / 60:.0f}-minute batches "
        f"in {took:.1f} s)"
    )


def main() -> None:
    """Run the bench and print the ratio as its last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a tiny size for CI")
    parser.add_argument("--machines", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=150)
    parser.add_argument("--db", help="database URL; default a DuckDB file in a temporary folder")
    parser.add_argument("--warn-machines", type=int, default=20)
    parser.add_argument("--warn-days", type=int, default=3)
    parser.add_argument("--maintenance-minutes", type=int, default=120)
    args = parser.parse_args()
    machines, minutes = (20, 30) if args.smoke else (args.machines, args.minutes)
    folder = Path(tempfile.mkdtemp(prefix="chainhub-bench-telemetry-"))
    warned = _early_warning(*((3, 1) if args.smoke else (args.warn_machines, args.warn_days)))
    _maintenance(warned, folder, args.maintenance_minutes)
    began = time.perf_counter()
    line = simulate_line(
        partner_id="haichuan",
        site_id="haichuan-foshan",
        machines=machines,
        minutes=minutes,
        start=START,
    )
    total = len(line.messages)
    took = time.perf_counter() - began
    print(f"simulated {total:,} messages of {machines} machines in {took:.1f} s")
    broker, port = _broker(folder)
    engine = create_engine_for(args.db or f"duckdb:///{folder / 'hub.duckdb'}")
    try:
        do_upgrade(engine=engine)
        anchor = _Counter(port)
        anchor.open()
        anchor.close()
        # Open the hub's session, then leave: the broker queues for it from now on.
        stopped = threading.Event()
        stopped.set()
        _hub(engine, port).run(stop=stopped)
        began = time.perf_counter()
        publish_messages(host="127.0.0.1", port=port, messages=line.messages)
        print(f"published {total:,} messages in {time.perf_counter() - began:.1f} s (QoS 1)")

        began = time.perf_counter()
        anchor = _Counter(port)
        anchor.open()
        bare = _until(lambda: anchor.count >= total, 600, began)
        anchor.close()
        hub = _drain_hub(engine, port, total)
        with engine.connect() as conn:
            stored, rejected = count_messages(conn=conn)
            began = time.perf_counter()
            report = get_oee(conn=conn, where=sa.true(), day=date(2026, 3, 2))
            query = time.perf_counter() - began
        lost = total - stored - rejected
        print(f"OEE of one day for {len(report.rows)} machines: {query:.2f} s")
        print(
            f"telemetry ingest chainhub {total / hub:,.0f} msg/s bare paho {total / bare:,.0f} "
            f"msg/s ratio chainhub/bare {bare / hub:.2f} on {total:,} messages, {lost} lost"
        )
        if lost:
            raise SystemExit(f"{lost} messages lost")
    finally:
        engine.dispose()
        broker.terminate()
        broker.wait()


if __name__ == "__main__":
    main()
