"""Use cases: stored scenarios. Every change of the document is a new, immutable version."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.security import Principal
from app.models import Scenario as ScenarioRow
from app.models import ScenarioVersion, utcnow
from app.optimizer import scenario_sha256
from app.repositories.scenarios import ScenarioRepository, ScenarioVersionRepository
from app.schemas.common import Page
from app.schemas.scenario import Scenario, ScenarioInvalid, check_scenario
from app.schemas.stored import (
    ScenarioOut,
    ScenarioSummary,
    ScenarioWrite,
    VersionOut,
    VersionSummary,
)
from app.services.access import audit
from app.services.catalogue.assembly import assemble
from app.services.interface import etags, idempotency
from app.services.interface.links import scenario_path
from app.services.interface.pagination import decode_cursor, encode_cursor

UNTITLED = "Untitled scenario"


def create_scenario(
    session: Session, principal: Principal, body: ScenarioWrite, idempotency_key: str | None
) -> idempotency.Answer:
    # An inline document is checked before the transaction's first statement: on SQLite that
    # statement takes the write lock, which no validation should hold.
    inline = _inline_document(body)

    def produce() -> idempotency.Answer:
        scenario, source, selection = inline or _document(session, principal, body)
        row = ScenarioRepository(session, principal.organisation_id).add(
            ScenarioRow(
                name=body.name or scenario.name or UNTITLED,
                current_version=1,
            )
        )
        _add_version(session, principal, row, 1, scenario, source, selection)
        audit.record(
            session,
            principal,
            "scenario.create",
            "scenario",
            str(row.id),
            changes={"name": [None, row.name], "version": [None, 1]},
        )
        return idempotency.Answer(
            201, _out(session, principal, row).model_dump(mode="json"), scenario_path(row.id)
        )

    return idempotency.once(
        session,
        principal,
        "scenarios.create",
        idempotency_key,
        body.model_dump(mode="json"),
        produce,
    )


def update_scenario(
    session: Session,
    principal: Principal,
    scenario_id: uuid.UUID,
    body: ScenarioWrite,
    if_match: str | None = None,
) -> ScenarioOut:
    """A new version, unless the document and name are those of the current version."""
    inline = _inline_document(body)  # before the write lock, as in `create_scenario`
    repository = ScenarioRepository(session, principal.organisation_id)
    row = session.scalars(
        repository.scoped().where(ScenarioRow.id == scenario_id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"no scenario {scenario_id}")
    etags.check_if_match(if_match, _out(session, principal, row), f"scenario {scenario_id}")
    scenario, source, selection = inline or _document(session, principal, body)
    current = ScenarioVersionRepository(session, principal.organisation_id).number(
        row.id, row.current_version
    )
    name = body.name or scenario.name or UNTITLED
    unchanged = (
        current is not None
        and current.scenario_sha256 == scenario_sha256(scenario)
        and current.selection == selection
        and name == row.name
    )
    if not unchanged:
        number = ScenarioVersionRepository(session, principal.organisation_id).next_number(row.id)
        _add_version(session, principal, row, number, scenario, source, selection)
        audit.record(
            session,
            principal,
            "scenario.update",
            "scenario",
            str(row.id),
            changes=audit.diff(
                {"name": row.name, "version": row.current_version},
                {"name": name, "version": number},
            ),
        )
        row.name = name
        row.current_version = number
        row.updated_at = utcnow()
        session.flush()
    return _out(session, principal, row)


def get_scenario(session: Session, principal: Principal, scenario_id: uuid.UUID) -> ScenarioOut:
    return _out(session, principal, _scenario(session, principal, scenario_id))


def get_version(
    session: Session, principal: Principal, scenario_id: uuid.UUID, number: int
) -> VersionOut:
    version = _version(session, principal, scenario_id, number)
    return VersionOut(
        **_version_summary(version).model_dump(),
        scenario_id=version.scenario_id,
        document=version.document,
        selection=version.selection,
    )


def list_scenarios(
    session: Session, principal: Principal, *, limit: int, cursor: str | None
) -> Page[ScenarioSummary]:
    repository = ScenarioRepository(session, principal.organisation_id)
    rows, more = repository.page(ScenarioRow.id, limit, decode_cursor(cursor, "uuid"))
    return Page[ScenarioSummary](
        items=[ScenarioSummary.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


def _scenario(session: Session, principal: Principal, scenario_id: uuid.UUID) -> ScenarioRow:
    row = ScenarioRepository(session, principal.organisation_id).get(scenario_id)
    if row is None:
        raise NotFound(f"no scenario {scenario_id}")
    return row


def _version(
    session: Session, principal: Principal, scenario_id: uuid.UUID, number: int
) -> ScenarioVersion:
    scenario = _scenario(session, principal, scenario_id)
    version = ScenarioVersionRepository(session, principal.organisation_id).number(
        scenario.id, number
    )
    if version is None:
        raise NotFound(
            f"scenario {scenario_id} has no version {number} "
            f"(the current one is {scenario.current_version})"
        )
    return version


def _document(
    session: Session, principal: Principal, body: ScenarioWrite
) -> tuple[Scenario, str, dict[str, Any] | None]:
    if body.catalogue is not None:
        scenario = assemble(session, principal, body.catalogue)
        return scenario, "catalogue", body.catalogue.model_dump(mode="json")
    inline = _inline_document(body)
    assert inline is not None
    return inline


def _inline_document(body: ScenarioWrite) -> tuple[Scenario, str, None] | None:
    """The checked inline document; None when the body names a catalogue selection."""
    if body.document is None:
        return None
    try:
        check_scenario(body.document)
    except ScenarioInvalid as invalid:
        raise ScenarioInvalid(
            [
                {"path": _under("document", e["path"]), "message": e["message"]}
                for e in invalid.errors
            ]
        ) from None
    return body.document, "inline", None


def _under(prefix: str, path: str) -> str:
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def _add_version(
    session: Session,
    principal: Principal,
    row: ScenarioRow,
    number: int,
    scenario: Scenario,
    source: str,
    selection: dict[str, Any] | None,
) -> None:
    ScenarioVersionRepository(session, principal.organisation_id).add(
        ScenarioVersion(
            scenario_id=row.id,
            number=number,
            document=scenario.model_dump(mode="json"),
            scenario_sha256=scenario_sha256(scenario),
            source=source,
            selection=selection,
            created_by=principal.actor,
        )
    )


def _version_summary(version: ScenarioVersion) -> VersionSummary:
    return VersionSummary.model_validate(version, from_attributes=True)


def _out(session: Session, principal: Principal, row: ScenarioRow) -> ScenarioOut:
    versions = ScenarioVersionRepository(session, principal.organisation_id).of(row.id)
    return ScenarioOut(
        **ScenarioSummary.model_validate(row, from_attributes=True).model_dump(),
        versions=[_version_summary(version) for version in versions],
    )
