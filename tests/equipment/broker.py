"""A real Eclipse Mosquitto on a free 127.0.0.1 port, with persistence in a temporary folder."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import time
from pathlib import Path
from typing import Final

import pytest

MOSQUITTO: Final = Path("/usr/sbin/mosquitto")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mosquitto:
    """A broker process that can be stopped and started again on the same port and store."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            # Started as root it would drop to user `mosquitto`, who may not write the folder.
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            "persistence true\n"
            f"persistence_location {folder}/\n"
            # Enough room for what the tests queue while a subscriber is away.
            "max_queued_messages 100000\n",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """HOST:PORT, as `--broker` takes it."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        log = (self.folder / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
            [str(MOSQUITTO), "-c", str(self.conf)], stdout=log, stderr=log
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        log_text = (self.folder / "mosquitto.log").read_text(errors="replace")
        raise RuntimeError(f"mosquitto did not start on {self.port}: {log_text}")

    def stop(self) -> None:
        """Stop it the way a service manager does (SIGTERM: it saves its store)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def require_mosquitto() -> None:
    """Skip without mosquitto, except in CI, where it must be there."""
    if MOSQUITTO.exists():
        return
    reason = "no /usr/sbin/mosquitto: apt-get install mosquitto"
    if os.environ.get("CI") == "true":
        pytest.fail(f"mosquitto is required in CI: {reason}")
    pytest.skip(reason)
