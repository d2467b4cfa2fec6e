"""Two integrations sending the same new entity at the same moment both succeed: the one whose
insert meets the other's committed row updates it instead of failing with a conflict."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.core.db import Database
from app.core.security import Principal, Role
from app.models import Domain
from app.schemas.catalogue import DomainWrite
from app.services.catalogue import entries as catalogue
from tests.tenants import Tenant


def _principal(tenant: Tenant) -> Principal:
    return Principal(organisation_id=tenant.organisation_id, organisation_name=tenant.name,
                     role=Role.planner, actor="test")


def test_the_second_of_two_simultaneous_creates_updates_the_first(
    db: Database, tenant_a: Tenant
) -> None:
    principal = _principal(tenant_a)
    first_written = threading.Event()
    answers: dict[str, object] = {}

    def first() -> None:
        with db.transaction() as session:
            catalogue.put_domain(session, principal, "safety", DomainWrite(weight=1.0))
            first_written.set()
            # Hold the uncommitted row while the second request reads (and, on PostgreSQL,
            # finds nothing, inserts and waits on the unique index until this commits).
            threading.Event().wait(0.5)

    def second() -> None:
        first_written.wait(10)
        try:
            with db.transaction() as session:
                answers["second"] = catalogue.put_domain(
                    session, principal, "safety", DomainWrite(weight=2.0))
        except Exception as error:  # the assertion below names it
            answers["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    answer = answers["second"]
    assert not isinstance(answer, Exception), f"the second create failed: {answer!r}"
    out, created = answer  # type: ignore[misc]
    assert created is False
    assert out.weight == 2.0
    with db.transaction() as session:
        rows = session.scalar(select(func.count()).select_from(Domain).where(
            Domain.organisation_id == tenant_a.organisation_id, Domain.key == "safety"))
        weight = session.scalar(select(Domain.weight).where(
            Domain.organisation_id == tenant_a.organisation_id, Domain.key == "safety"))
    assert rows == 1
    assert weight == 2.0
