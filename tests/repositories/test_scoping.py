"""A repository sees its own organisation's rows and nothing else."""

from __future__ import annotations

from app.core.db import Database
from app.models import Domain, Neighbourhood
from app.repositories.catalogue import DomainRepository, NeighbourhoodRepository
from tests.tenants import Tenant


def _domain(key: str) -> Domain:
    return Domain(key=key, label=key, weight=1.0, target=0.0)


class TestRepositoryBase:
    def test_get_by_id_of_another_organisation_is_none(
        self, db: Database, tenant_a: Tenant, tenant_b: Tenant
    ) -> None:
        with db.transaction() as session:
            theirs = DomainRepository(session, tenant_b.organisation_id).add(_domain("mine"))
        with db.transaction() as session:
            assert DomainRepository(session, tenant_a.organisation_id).get(theirs.id) is None
            assert DomainRepository(session, tenant_b.organisation_id).get(theirs.id) is not None

    def test_keys_are_unique_per_organisation_only(
        self, db: Database, tenant_a: Tenant, tenant_b: Tenant
    ) -> None:
        with db.transaction() as session:
            DomainRepository(session, tenant_a.organisation_id).add(_domain("same"))
            DomainRepository(session, tenant_b.organisation_id).add(_domain("same"))
        with db.transaction() as session:
            ours = DomainRepository(session, tenant_a.organisation_id)
            assert [row.organisation_id for row in ours.everything()] == [tenant_a.organisation_id]
            assert ours.by_key("same") is not None

    def test_pages_never_show_another_organisation(
        self, db: Database, tenant_a: Tenant, tenant_b: Tenant
    ) -> None:
        with db.transaction() as session:
            for tenant in (tenant_a, tenant_b):
                repository = NeighbourhoodRepository(session, tenant.organisation_id)
                for i in range(5):
                    repository.add(Neighbourhood(code=f"BU{i}", homes=1, regulated_homes=0))
        with db.transaction() as session:
            repository = NeighbourhoodRepository(session, tenant_a.organisation_id)
            first, more = repository.page(Neighbourhood.code, 3)
            second, last = repository.page(Neighbourhood.code, 3, after=first[-1].code)
        assert more
        assert not last
        assert [row.code for row in first + second] == [f"BU{i}" for i in range(5)]
        assert {row.organisation_id for row in first + second} == {tenant_a.organisation_id}
