"""A repository sees its own organisation's rows and nothing else."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.models import Domain, Neighbourhood, Run, Sweep
from app.repositories.catalogue import DomainRepository, NeighbourhoodRepository
from app.repositories.sweeps import SweepRepository
from app.schemas.stored import ScenarioWrite
from app.schemas.workshop import BudgetRange, SweepCreate
from app.services.access import keys
from app.services.planning import scenarios
from app.services.workshop import sweeps
from tests.api.helpers import DESIGN_EXAMPLE
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


class TestScenarioSweeps:
    def test_a_scenarios_sweeps_are_the_organisations_own_newest_first_with_their_points(
        self, db: Database, tenant_a: Tenant, tenant_b: Tenant
    ) -> None:
        document = json.loads(DESIGN_EXAMPLE.read_text())
        settings = Settings(database_url=db.url.render_as_string(hide_password=False))
        with db.transaction() as session:
            ours = keys.organisation_principal(session, tenant_a.name)
            created = scenarios.create_scenario(
                session, ours, ScenarioWrite.model_validate({"document": document}), None)
            scenario_id = uuid.UUID(created.body["id"])
            older, newer = (
                uuid.UUID(sweeps.create_sweep(
                    session, ours, scenario_id,
                    SweepCreate(budget=BudgetRange.model_validate({"values": budgets})),
                    None, settings).body["id"])
                for budgets in ([100_000, 300_000, 200_000], [50_000, 60_000]))
            first_point = session.scalars(select(Run).where(Run.sweep_id == older)
                                          .order_by(Run.sweep_budget)).first()
            assert first_point is not None
            first_point.state = "done"
            # Not possible through the API (a scenario is its organisation's): another
            # organisation's sweep row naming this scenario all the same.
            theirs = SweepRepository(session, tenant_b.organisation_id).add(Sweep(
                scenario_id=scenario_id, version_id=first_point.version_id,
                version_number=1, spec={"budgets": [1.0, 2.0]}, state="running"))
        with db.transaction() as session:
            listed = sweeps.scenario_sweeps(session, ours, scenario_id)
            seen_by_them = SweepRepository(session, tenant_b.organisation_id).of_scenario(
                scenario_id, limit=10)
        assert [s.id for s in listed] == [newer, older]
        assert [(s.points_done, s.points_total) for s in listed] == [(0, 2), (1, 3)]
        assert [(s.budget_from, s.budget_to) for s in listed] == [(50_000, 60_000),
                                                                  (100_000, 300_000)]
        assert [s.state for s in listed] == ["running", "running"]
        assert [(sweep.id, done, total) for sweep, done, total in seen_by_them] == [
            (theirs.id, 0, 0)]
