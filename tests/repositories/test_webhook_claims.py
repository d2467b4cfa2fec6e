"""Two dispatchers on one outbox never send the same attempt, and events are only as durable
as the transaction that writes them."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from app.services.webhooks import deliver_due, record_event
from app.services.webhooks.subscriptions import new_secret
from tests.receiver import receiver
from tests.tenants import Tenant


def _subscribe(db: Database, tenant: Tenant, url: str) -> None:
    with db.transaction() as session:
        session.add(Webhook(organisation_id=tenant.organisation_id, url=url,
                            events=["import.finished"], secret=new_secret()))


def test_two_dispatchers_send_each_attempt_once(db: Database, tenant_a: Tenant,
                                                test_settings: Settings) -> None:
    with receiver() as hook:
        _subscribe(db, tenant_a, hook.url)
        with db.transaction() as session:
            for n in range(12):
                record_event(session, tenant_a.organisation_id, "import.finished", {"n": n})

        def dispatch(owner: str) -> None:
            while deliver_due(db, test_settings, owner):
                pass

        threads = [threading.Thread(target=dispatch, args=(owner,)) for owner in "AB"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        received = list(hook.received)

    assert len(received) == 12
    assert len({r.headers["webhook-id"] for r in received}) == 12
    with db.transaction() as session:
        attempts = session.scalars(select(WebhookAttempt)).all()
        states = set(session.scalars(select(WebhookDelivery.state)))
    assert sorted(a.number for a in attempts) == [1] * 12
    assert states == {"delivered"}


def test_an_event_rolled_back_with_its_transaction_is_never_sent(
    db: Database, tenant_a: Tenant
) -> None:
    _subscribe(db, tenant_a, "http://127.0.0.1:9/x")

    def import_that_fails() -> None:
        with db.transaction() as session:
            record_event(session, tenant_a.organisation_id, "import.finished", {"rows": 3})
            raise RuntimeError("the import failed after the event was written")

    with pytest.raises(RuntimeError):
        import_that_fails()

    with db.transaction() as session:
        assert session.scalars(select(WebhookEvent)).all() == []
        assert session.scalars(select(WebhookDelivery)).all() == []


def test_an_unknown_event_type_is_refused(db: Database, tenant_a: Tenant) -> None:
    with pytest.raises(ValueError, match="unknown webhook event type"), db.transaction() as s:
        record_event(s, tenant_a.organisation_id, "run.exploded", {})


def test_an_attempt_left_sending_by_a_dead_dispatcher_is_abandoned_and_followed(
    db: Database, tenant_a: Tenant, test_settings: Settings
) -> None:
    from sqlalchemy import update

    from app.repositories.webhooks import DeliveryQueue

    with receiver() as hook:
        _subscribe(db, tenant_a, hook.url)
        with db.transaction() as session:
            record_event(session, tenant_a.organisation_id, "import.finished", {"rows": 1})
        with db.transaction() as session:  # claimed, then the dispatcher dies before sending
            [claimed] = DeliveryQueue(session).claim("dead", 60, 10)
        assert deliver_due(db, test_settings, "alive") == 0  # its lease still holds
        with db.transaction() as session:
            session.execute(update(WebhookDelivery).values(lease_expires_at=claimed.
                                                           event_created_at))
        assert deliver_due(db, test_settings, "alive") == 1
        received = list(hook.received)

    assert len(received) == 1
    with db.transaction() as session:
        attempts = session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.number)).all()
    assert [(a.number, a.dispatcher, a.outcome) for a in attempts] == [
        (1, "dead", "abandoned"), (2, "alive", "delivered")]
