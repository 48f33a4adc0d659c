"""After commit: the webhook delivery worker thread, retrying with exponential backoff."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from chainhub.partners.webhooks import do_record_attempt, list_due_deliveries, send_delivery

logger = logging.getLogger(__name__)


class DeliveryWorker:
    """Sends due webhook deliveries from a background thread, retrying with exponential backoff."""

    def __init__(
        self,
        *,
        engine: Engine,
        backoff: timedelta = timedelta(seconds=5),
        max_attempts: int = 6,
        poll_seconds: float = 2.0,
        timeout_seconds: float = 10.0,
        allowed_hosts: Collection[str] = (),
        before_round: Callable[[Connection, datetime], object] | None = None,
    ) -> None:
        self.engine = engine
        # Queues what is due by the clock (scheduled query subscriptions) ahead of each round.
        self.before_round = before_round
        self.backoff = backoff
        self.max_attempts = max_attempts
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        # Private hosts deliveries may reach; every other address is checked at each send.
        self.allowed_hosts = frozenset(allowed_hosts)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread."""
        self._thread = threading.Thread(target=self._run, name="chainhub-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def wake(self) -> None:
        """Look for due deliveries now: a change was committed."""
        self._wake.set()

    def deliver_due(self) -> int:
        """Send every delivery that is due now; the number of attempts made."""
        if self.before_round is not None:
            try:
                with self.engine.begin() as conn:
                    self.before_round(conn, datetime.now(UTC))
            except Exception:  # what is queued already still goes out
                logger.exception("scheduled deliveries could not be queued")
        with self.engine.begin() as conn:
            due = list_due_deliveries(conn=conn, now=datetime.now(UTC))
        for delivery_id, event, payload, url, secret in due:
            status_code, error = send_delivery(
                url=url,
                secret=secret,
                event=event,
                delivery_id=delivery_id,
                payload=payload,
                timeout=self.timeout_seconds,
                allowed_hosts=self.allowed_hosts,
            )
            with self.engine.begin() as conn:
                do_record_attempt(
                    conn=conn,
                    delivery_id=delivery_id,
                    status_code=status_code,
                    error=error,
                    now=datetime.now(UTC),
                    backoff=self.backoff,
                    max_attempts=self.max_attempts,
                )
        return len(due)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.deliver_due()
            except Exception:  # the worker outlives a failed round; the next one retries
                logger.exception("webhook delivery round failed")
