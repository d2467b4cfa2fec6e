"""Webhooks: subscriptions, the outbox (`record_event`) and delivery (`deliver_due`).

Other use cases report their events with `record_event(session, organisation_id, type, data)`
inside the transaction that writes what the event reports."""

from app.repositories.webhooks import record_event
from app.services.webhooks.delivery import deliver_due

__all__ = ["deliver_due", "record_event"]
