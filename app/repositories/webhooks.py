"""Webhooks: scoped access for the API, the outbox writer, and the queue dispatchers share.

`record_event` writes an event and one delivery per subscription that asked for its type, in
the caller's transaction: the event is committed with what it reports or not at all.

A dispatcher claims a due delivery with one conditional UPDATE (pending, due, and not leased by
a live dispatcher) that also counts the attempt, and checks it changed exactly one row; the
attempt row it then inserts is unique per (delivery, number). Two dispatchers therefore never
send the same attempt, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from app.models import utcnow
from app.models.webhook import (
    WEBHOOK_EVENT_TYPES,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from app.repositories.base import RepositoryBase


class WebhookRepository(RepositoryBase[Webhook]):
    model = Webhook


class DeliveryRepository(RepositoryBase[WebhookDelivery]):
    model = WebhookDelivery


class AttemptRepository(RepositoryBase[WebhookAttempt]):
    model = WebhookAttempt


class EventRepository(RepositoryBase[WebhookEvent]):
    model = WebhookEvent


def record_event(
    session: Session,
    organisation_id: uuid.UUID,
    type: str,
    data: dict[str, Any],
) -> WebhookEvent:
    """Put an event in the outbox of `organisation_id`, with a delivery for every webhook of
    that organisation subscribed to `type`. Call it inside the transaction that writes what the
    event reports; it flushes, never commits."""
    if type not in WEBHOOK_EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    now = utcnow()
    event = EventRepository(session, organisation_id).add(
        WebhookEvent(type=type, data=data, created_at=now)
    )
    deliveries = DeliveryRepository(session, organisation_id)
    for webhook in WebhookRepository(session, organisation_id).all_where():
        if type in webhook.events:
            deliveries.add(
                WebhookDelivery(
                    webhook_id=webhook.id,
                    event_id=event.id,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    return event


@dataclass(frozen=True)
class ClaimedAttempt:
    """What a dispatcher needs to send one attempt, read in the claiming transaction."""

    delivery_id: uuid.UUID
    organisation_id: uuid.UUID
    number: int
    url: str
    secret: str
    event_type: str
    event_data: dict[str, Any]
    event_created_at: datetime


def _claimable(now: datetime) -> Any:
    return and_(
        WebhookDelivery.state == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.lease_expires_at.is_(None), WebhookDelivery.lease_expires_at < now),
    )


class DeliveryQueue:
    """The deliveries of every organisation, as the dispatchers see them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _update(self, statement: Any) -> int:
        result: CursorResult[Any] = self.session.execute(  # type: ignore[assignment]
            statement, execution_options={"synchronize_session": False}
        )
        return int(result.rowcount)

    def claim(self, owner: str, lease_s: float, limit: int) -> list[ClaimedAttempt]:
        now = utcnow()
        candidates = self.session.execute(
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .where(_claimable(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        ).all()
        claimed = []
        for delivery_id, attempts in candidates:
            taken = self._update(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookDelivery.attempts == attempts,
                    _claimable(now),
                )
                .values(
                    attempts=attempts + 1,
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease_s),
                )
            )
            if taken == 1:
                claimed.append(self._start_attempt(delivery_id, attempts + 1, owner, now))
        return claimed

    def _start_attempt(
        self, delivery_id: uuid.UUID, number: int, owner: str, now: datetime
    ) -> ClaimedAttempt:
        # An attempt still `sending` belongs to a dispatcher that stopped before an answer.
        self._update(
            update(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id, WebhookAttempt.outcome == "sending")
            .values(
                outcome="abandoned",
                error="the dispatcher stopped before the receiver answered",
                finished_at=now,
            )
        )
        row = self.session.execute(
            select(WebhookDelivery, Webhook, WebhookEvent)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id == delivery_id)
        ).one()
        delivery, webhook, event = row
        self.session.add(
            WebhookAttempt(
                organisation_id=delivery.organisation_id,
                delivery_id=delivery_id,
                number=number,
                dispatcher=owner,
                outcome="sending",
                started_at=now,
            )
        )
        self.session.flush()
        return ClaimedAttempt(
            delivery_id=delivery_id,
            organisation_id=delivery.organisation_id,
            number=number,
            url=webhook.url,
            secret=webhook.secret,
            event_type=event.type,
            event_data=event.data,
            event_created_at=event.created_at,
        )

    def finish(
        self,
        attempt: ClaimedAttempt,
        owner: str,
        *,
        status_code: int | None,
        error: str | None,
        delivered: bool,
        next_attempt_at: datetime | None,
    ) -> None:
        """Record the attempt's answer; the delivery is delivered, due again at
        `next_attempt_at`, or failed for good when that is None."""
        now = utcnow()
        self._update(
            update(WebhookAttempt)
            .where(
                WebhookAttempt.delivery_id == attempt.delivery_id,
                WebhookAttempt.number == attempt.number,
            )
            .values(
                outcome="delivered" if delivered else "failed",
                status_code=status_code,
                error=error,
                finished_at=now,
            )
        )
        if delivered:
            values: dict[str, Any] = {"state": "delivered", "finished_at": now}
        elif next_attempt_at is None:
            values = {"state": "failed", "finished_at": now}
        else:
            values = {"next_attempt_at": next_attempt_at}
        # Only while this dispatcher still holds this attempt's lease.
        self._update(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == attempt.delivery_id,
                WebhookDelivery.lease_owner == owner,
                WebhookDelivery.attempts == attempt.number,
            )
            .values(lease_owner=None, lease_expires_at=None, **values)
        )
