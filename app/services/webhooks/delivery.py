"""Sending due deliveries: one pass that claims, signs, posts and records.

`deliver_due` is what both dispatchers call: the thread beside the API
(`app.jobs.webhook_dispatcher`) and a Celery beat or worker task. Each attempt is claimed and
committed before it is sent and its answer is written in a transaction of its own, so a
dispatcher killed mid-way leaves an attempt marked `sending` that the next claim (after the
lease) records as abandoned and follows with a new attempt.

Requests follow the Standard Webhooks specification: `webhook-id` (the delivery's id, the same
on every attempt, for the receiver's deduplication), `webhook-timestamp` (the attempt's time)
and `webhook-signature` (HMAC-SHA256 by the `standardwebhooks` library). The body is
`{"type", "timestamp", "data"}` and identical on every attempt.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook as Signer

from app.core.config import VERSION, Settings
from app.core.db import Database
from app.core.metrics import WEBHOOK_DELIVERIES
from app.models import utcnow
from app.repositories.webhooks import ClaimedAttempt, DeliveryQueue
from app.services.webhooks.addresses import UnsafeAddress, check_url
from app.services.webhooks.schedule import next_attempt_at

log = logging.getLogger("onderbouwd.webhooks")

CLAIMS_PER_PASS = 20
_ERROR_CHARS = 500


def message_id(delivery_id: object) -> str:
    return f"msg_{delivery_id}"


def payload(attempt: ClaimedAttempt) -> bytes:
    body = {
        "type": attempt.event_type,
        "timestamp": attempt.event_created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": attempt.event_data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signed_headers(attempt: ClaimedAttempt, body: bytes, now: datetime) -> dict[str, str]:
    msg_id = message_id(attempt.delivery_id)
    return {
        "content-type": "application/json",
        "user-agent": f"Onderbouwd-Webhooks/{VERSION}",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(attempt.secret).sign(msg_id, now, body),
    }


def lease_s(settings: Settings) -> float:
    """Long enough for one attempt, its address check and writing its answer."""
    return settings.webhook_timeout_s * 3 + 30


def deliver_due(
    database: Database, settings: Settings, owner: str, rng: random.Random | None = None
) -> int:
    """Claim the deliveries that are due (up to `CLAIMS_PER_PASS`), send each once and record
    the answers; the number of attempts made."""
    rng = rng or random.Random()
    with database.transaction() as session:
        claimed = DeliveryQueue(session).claim(owner, lease_s(settings), CLAIMS_PER_PASS)
    for attempt in claimed:
        status_code, error = _send(attempt, settings)
        delivered = status_code is not None and 200 <= status_code < 300
        WEBHOOK_DELIVERIES.labels(outcome="delivered" if delivered else "failed").inc()
        now = utcnow()
        give_up_at = attempt.event_created_at + timedelta(seconds=settings.webhook_retry_window_s)
        retry = None if delivered else next_attempt_at(
            attempt.number, now, give_up_at, settings.webhook_first_retry_s, rng
        )
        with database.transaction() as session:
            DeliveryQueue(session).finish(
                attempt, owner, status_code=status_code, error=error, delivered=delivered,
                next_attempt_at=retry,
            )
        log.info("webhook %s attempt %d: %s", message_id(attempt.delivery_id), attempt.number,
                 "delivered" if delivered else (error or status_code))
    return len(claimed)


def _send(attempt: ClaimedAttempt, settings: Settings) -> tuple[int | None, str | None]:
    try:
        check_url(attempt.url, allow_private=settings.webhook_allow_private)
    except UnsafeAddress as refused:
        return None, f"not sent: {refused}"
    body = payload(attempt)
    headers = signed_headers(attempt, body, utcnow())
    try:
        # No redirects: a redirect could lead to an address the check above refuses.
        response = httpx.post(attempt.url, content=body, headers=headers,
                              timeout=settings.webhook_timeout_s, follow_redirects=False)
    except httpx.HTTPError as failure:
        return None, f"{type(failure).__name__}: {failure}"[:_ERROR_CHARS] or None
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"the receiver answered {response.status_code}: " + (
        response.text[:_ERROR_CHARS])
