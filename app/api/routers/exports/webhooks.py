from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.api.deps import AdminKey, Cursor, Limit, SessionDep, SettingsDep
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.common import Page
from app.schemas.webhooks import DeliveryOut, WebhookCreate, WebhookCreated, WebhookOut
from app.services.webhooks import subscriptions

router = APIRouter(route_class=TransactionRoute,
    prefix="/api/v1/webhooks", tags=["webhooks"], responses=problem_responses(401, 403)
)


@router.get("", response_model=list[WebhookOut], summary="List the organisation's webhooks")
def list_webhooks(principal: AdminKey, session: SessionDep) -> list[WebhookOut]:
    return subscriptions.list_webhooks(session, principal)


@router.post(
    "",
    response_model=WebhookCreated,
    status_code=201,
    responses=problem_responses(422),
    summary="Create a webhook (its signing secret is in this answer only)",
)
def create_webhook(
    body: WebhookCreate, principal: AdminKey, session: SessionDep, settings: SettingsDep
) -> WebhookCreated:
    return subscriptions.create_webhook(session, principal, body, settings)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404),
    summary="Delete a webhook (its pending deliveries are dropped)",
)
def delete_webhook(webhook_id: uuid.UUID, principal: AdminKey, session: SessionDep) -> None:
    subscriptions.delete_webhook(session, principal, webhook_id)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    responses=problem_responses(404),
    summary="A webhook's deliveries, each with every attempt (status code, error, time)",
)
def list_deliveries(
    webhook_id: uuid.UUID, principal: AdminKey, session: SessionDep, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DeliveryOut]:
    return subscriptions.list_deliveries(session, principal, webhook_id, limit=limit,
                                         cursor=cursor)
