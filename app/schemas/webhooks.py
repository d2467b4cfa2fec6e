"""API shapes of webhooks and their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal["run.finished", "run.failed", "sweep.finished", "import.finished"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="Absolute http(s) URL that receives the events as POST requests. It may not "
        "resolve to a loopback, private or link-local address.",
    )
    events: list[EventType] = Field(min_length=1, description="The event types to receive.")
    description: str | None = Field(default=None, max_length=500)


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    events: list[EventType]
    description: str | None = None
    created_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks `whsec_…`), shown in this answer "
        "only: verify each delivery's `webhook-signature` with it."
    )


class AttemptOut(BaseModel):
    number: int
    outcome: Literal["sending", "delivered", "failed", "abandoned"]
    status_code: int | None = Field(default=None, description="The receiver's HTTP status.")
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    webhook_id_header: str = Field(description="The `webhook-id` every attempt sends.")
    event_id: uuid.UUID
    event_type: EventType
    state: Literal["pending", "delivered", "failed"]
    next_attempt_at: datetime | None = Field(
        default=None, description="When the next attempt is due, while pending."
    )
    created_at: datetime
    finished_at: datetime | None = None
    attempts: list[AttemptOut]
