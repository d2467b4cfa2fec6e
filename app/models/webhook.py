"""Webhooks: subscriptions, the durable outbox of events, and each delivery's attempts.

An event is written in the same transaction as what it reports, with one delivery per
subscription that asked for its type; dispatchers claim deliveries through a lease (as runners
claim runs), so two dispatchers never send the same attempt.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow

WEBHOOK_EVENT_TYPES = ("run.finished", "run.failed", "sweep.finished", "import.finished")
DELIVERY_STATES = ("pending", "delivered", "failed")
ATTEMPT_OUTCOMES = ("sending", "delivered", "failed", "abandoned")


class Webhook(TenantMixin, Base):
    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]]
    secret: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(TenantMixin, Base):
    __tablename__ = "webhook_events"

    type: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(TenantMixin, Base):
    """One event to one subscription; its id is the `webhook-id` every attempt sends."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state"),
        Index(None, "state", "next_attempt_at"),
    )

    webhook_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class WebhookAttempt(TenantMixin, Base):
    """One try at sending a delivery: numbered 1, 2, … per delivery, each sent at most once."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        UniqueConstraint("delivery_id", "number"),
        CheckConstraint(
            "outcome IN ('sending', 'delivered', 'failed', 'abandoned')", name="outcome"
        ),
    )

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    dispatcher: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
