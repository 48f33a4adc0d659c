"""Reactions to stored documents: what a domain above intake does, in the same transaction, when
the one write path stores a submission (the plan raises the capacity alerts a supplier's new
capacity brings). The edge that opens the transaction puts them on its connection, as it puts
the audit key, so the write path runs them without importing the domains that react."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Protocol

from sqlalchemy import Connection

from chainhub.events.schemas import HubEvent
from chainhub.storage.schemas import SubmissionRead

REACTIONS_INFO: Final = "chainhub_reactions"


class Reaction(Protocol):
    """Acts on stored submissions in the caller's transaction; returns the events it raised
    (queued for webhooks already)."""

    def __call__(
        self, *, conn: Connection, stored: Sequence[SubmissionRead]
    ) -> Sequence[HubEvent]: ...


def set_reactions(*, conn: Connection, reactions: Sequence[Reaction]) -> None:
    """Run `reactions` whenever a submission is stored on this connection."""
    conn.info[REACTIONS_INFO] = tuple(reactions)


def do_react(*, conn: Connection, stored: Sequence[SubmissionRead]) -> tuple[HubEvent, ...]:
    """Run the connection's reactions to `stored` (none when the edge set none); the events
    they raised."""
    reactions: tuple[Reaction, ...] = conn.info.get(REACTIONS_INFO, ())
    if not stored:
        return ()
    return tuple(event for react in reactions for event in react(conn=conn, stored=stored))
