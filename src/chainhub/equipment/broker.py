"""Where the broker is: `HOST:PORT`, and a paho client speaking MQTT 5 to it."""

from __future__ import annotations

from typing import Final

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from chainhub.errors import ChainhubError

DEFAULT_PORT: Final = 1883


def parse_broker(value: str) -> tuple[str, int]:
    """`HOST:PORT` (or `HOST`, port 1883) as a host and port; a ChainhubError when malformed."""
    host, _, port = value.rpartition(":") if ":" in value else (value, "", str(DEFAULT_PORT))
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ChainhubError(
            "bad_broker",
            # Quoted, so that no `:word:` in it reads as an emoji code on the terminal.
            f"--broker {value!r} is not HOST:PORT, e.g. 127.0.0.1:1883",
            f"--broker {value!r} 不是 HOST:PORT 格式，例如 127.0.0.1:1883",
        )
    return host, int(port)


def new_client(client_id: str, *, manual_ack: bool = False) -> mqtt.Client:
    """An MQTT 5 client that reconnects by itself, quickly after a broker restart."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=manual_ack,
    )
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    return client


def connect(client: mqtt.Client, host: str, port: int, **options: object) -> None:
    """Connect, or raise a ChainhubError saying the broker cannot be reached."""
    try:
        client.connect(host, port, keepalive=30, **options)  # type: ignore[arg-type]
    except OSError as error:
        raise ChainhubError(
            "broker_unreachable",
            f"MQTT broker {host}:{port} unreachable: {error.strerror or error}",
            f"无法连接 MQTT 代理 {host}:{port}：{error.strerror or error}",
        ) from None
