"""The topic convention: `chainhub/<partner>/<site>/<machine>/<kind>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal, cast

ROOT: Final = "chainhub"
KINDS: Final = ("state", "count", "signal")
# Every machine of every partner, one level per segment (MQTT's single-level wildcard).
SUBSCRIPTION: Final = f"{ROOT}/+/+/+/+"
_SEGMENT: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

Kind = Literal["state", "count", "signal"]


@dataclass(frozen=True, slots=True)
class Topic:
    """Where a message comes from: the partner's site and machine, and what it carries."""

    partner_id: str
    site_id: str
    machine_id: str
    kind: Kind

    def __str__(self) -> str:
        return f"{ROOT}/{self.partner_id}/{self.site_id}/{self.machine_id}/{self.kind}"


# A plant has a bounded set of topics, each seen many times a second.
@lru_cache(maxsize=65_536)
def parse_topic(topic: str) -> Topic:
    """The topic's parts; a ValueError naming what is wrong when it breaks the convention."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != ROOT:
        raise ValueError(f"topic {topic!r} is not {ROOT}/<partner>/<site>/<machine>/<kind>")
    for name, value in zip(("partner", "site", "machine"), parts[1:4], strict=True):
        if not _SEGMENT.fullmatch(value):
            raise ValueError(
                f"topic {topic!r}: {name} {value!r} is not 1-64 of A-Z a-z 0-9 . _ - "
                "starting with a letter or digit"
            )
    if parts[4] not in KINDS:
        raise ValueError(f"topic {topic!r}: kind {parts[4]!r} is not one of {', '.join(KINDS)}")
    return Topic(parts[1], parts[2], parts[3], cast(Kind, parts[4]))
