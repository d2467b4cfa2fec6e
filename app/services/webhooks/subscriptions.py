"""Use cases: create, list and delete webhooks; read their deliveries."""

from __future__ import annotations

import base64
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import NotFound, ValidationFailed
from app.core.security import Principal
from app.models.webhook import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from app.repositories.webhooks import AttemptRepository, DeliveryRepository, WebhookRepository
from app.schemas.common import Page
from app.schemas.webhooks import (
    AttemptOut,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
)
from app.services.access import audit
from app.services.interface.pagination import decode_cursor, encode_cursor
from app.services.webhooks.addresses import UnsafeAddress, check_url
from app.services.webhooks.delivery import message_id

SECRET_BYTES = 32


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def create_webhook(
    session: Session, principal: Principal, body: WebhookCreate, settings: Settings
) -> WebhookCreated:
    try:
        check_url(body.url, allow_private=settings.webhook_allow_private)
    except UnsafeAddress as refused:
        raise ValidationFailed(
            f"the webhook URL is refused: {refused}",
            errors=[{"path": "url", "message": str(refused)}],
        ) from None
    row = WebhookRepository(session, principal.organisation_id).add(
        Webhook(
            url=body.url,
            events=sorted(set(body.events)),
            secret=new_secret(),
            description=body.description,
            created_by=principal.actor,
        )
    )
    audit.record(session, principal, "webhook.create", "webhook", str(row.id),
                 changes={"url": [None, row.url], "events": [None, row.events]})
    return WebhookCreated(**webhook_out(row).model_dump(), secret=row.secret)


def list_webhooks(session: Session, principal: Principal) -> list[WebhookOut]:
    rows = WebhookRepository(session, principal.organisation_id).all_where(order_by=Webhook.id)
    return [webhook_out(row) for row in rows]


def delete_webhook(session: Session, principal: Principal, webhook_id: uuid.UUID) -> None:
    repository = WebhookRepository(session, principal.organisation_id)
    row = _webhook(repository, webhook_id)
    audit.record(session, principal, "webhook.delete", "webhook", str(row.id),
                 changes={"url": [row.url, None]})
    repository.delete(row)


def list_deliveries(
    session: Session, principal: Principal, webhook_id: uuid.UUID, *, limit: int,
    cursor: str | None,
) -> Page[DeliveryOut]:
    """Newest first is what a person looks for, but pages are keyset on the id (oldest first,
    stable under new deliveries), as every other list."""
    _webhook(WebhookRepository(session, principal.organisation_id), webhook_id)
    rows, more = DeliveryRepository(session, principal.organisation_id).page(
        WebhookDelivery.id, limit, decode_cursor(cursor, "uuid"),
        [WebhookDelivery.webhook_id == webhook_id],
    )
    ids = [row.id for row in rows]
    types: dict[uuid.UUID, str] = dict(session.execute(  # type: ignore[arg-type]
        select(WebhookEvent.id, WebhookEvent.type).where(
            WebhookEvent.id.in_([row.event_id for row in rows]))).all())
    attempts: dict[uuid.UUID, list[AttemptOut]] = {i: [] for i in ids}
    for attempt in AttemptRepository(session, principal.organisation_id).all_where(
        WebhookAttempt.delivery_id.in_(ids), order_by=WebhookAttempt.number
    ):
        attempts[attempt.delivery_id].append(AttemptOut.model_validate(attempt,
                                                                       from_attributes=True))
    items = [
        DeliveryOut(
            id=row.id,
            webhook_id_header=message_id(row.id),
            event_id=row.event_id,
            event_type=types[row.event_id],  # type: ignore[arg-type]
            state=row.state,  # type: ignore[arg-type]
            next_attempt_at=row.next_attempt_at if row.state == "pending" else None,
            created_at=row.created_at,
            finished_at=row.finished_at,
            attempts=attempts[row.id],
        )
        for row in rows
    ]
    return Page[DeliveryOut](items=items,
                             next_cursor=encode_cursor(rows[-1].id) if more else None)


def webhook_out(row: Webhook) -> WebhookOut:
    return WebhookOut(id=row.id, url=row.url, events=row.events, description=row.description,
                      created_at=row.created_at)


def _webhook(repository: WebhookRepository, webhook_id: uuid.UUID) -> Webhook:
    row = repository.get(webhook_id)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return row
