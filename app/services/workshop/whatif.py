"""Use case: a what-if. A run's scenario document is patched (RFC 7396 merge patch or RFC 6902
JSON Patch), validated like any scenario, stored as a new version of its scenario marked with
the run and the patch (never the current version: a what-if is a try, not a decision), and
solved as an ordinary run that starts from the run's plan. The answer waits for the plan (not
the explanation, which follows in the same job) up to `wait` seconds."""

from __future__ import annotations

import copy
import time
import uuid
from dataclasses import dataclass
from typing import Any

import json_merge_patch
import jsonpatch
import jsonpointer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import PROBLEM_BASE, Conflict, OnderbouwdError, ValidationFailed
from app.core.security import Principal
from app.models import FINISHED_STATES, Run, Scenario, ScenarioVersion
from app.optimizer import scenario_sha256
from app.repositories.scenarios import ScenarioRepository, ScenarioVersionRepository
from app.schemas.scenario import check_scenario, parse_scenario
from app.schemas.workshop import WhatIfOut
from app.services.access import audit
from app.services.interface.links import run_path
from app.services.planning import limits, runs, solving
from app.services.workshop import comparison

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
PATCH_FORMATS = {MERGE_PATCH: "merge-patch", JSON_PATCH: "json-patch"}
# How often a waiting what-if looks whether its plan is in (seconds).
WAIT_POLL_S = 0.02


class UnsupportedMediaType(OnderbouwdError):
    status = 415
    type = PROBLEM_BASE + "unsupported-media-type"
    title = "Unsupported Media Type"


@dataclass(frozen=True)
class WhatIfAnswer:
    status_code: int  # 200 with the plan and its comparison, 202 while it is solving
    body: WhatIfOut
    location: str


def patch_format(content_type: str | None, patch: Any) -> str:
    """`merge-patch` or `json-patch`, from the media type; plain `application/json` is read by
    shape (an array is a JSON Patch, anything else a merge patch)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in PATCH_FORMATS:
        return PATCH_FORMATS[media]
    if media == "application/json":
        return "json-patch" if isinstance(patch, list) else "merge-patch"
    raise UnsupportedMediaType(
        f"send the patch as {MERGE_PATCH} (RFC 7396) or {JSON_PATCH} (RFC 6902), "
        f"not {media or 'without a Content-Type'}"
    )


def patched(document: dict[str, Any], patch: Any, kind: str) -> Any:
    """The document with the patch applied; 422 naming the operation that cannot apply."""
    if kind == "merge-patch":
        return json_merge_patch.merge(copy.deepcopy(document), patch)
    if not isinstance(patch, list):
        raise _bad_patch("", "a JSON Patch is an array of operations")
    result: Any = copy.deepcopy(document)
    for index, operation in enumerate(patch):
        try:
            result = jsonpatch.JsonPatch([operation]).apply(result, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
                TypeError, KeyError, ValueError) as error:
            where = "path" if isinstance(operation, dict) and "path" in operation else ""
            raise _bad_patch(f"[{index}]" + (f".{where}" if where else ""),
                             f"operation {index} cannot be applied: {error}") from None
    return result


def _bad_patch(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{path or '(patch)'}: {message}",
                            errors=[{"path": path, "message": message}])


def start_whatif(
    session: Session,
    principal: Principal,
    run_id: uuid.UUID,
    patch: Any,
    content_type: str | None,
    settings: Settings,
) -> uuid.UUID:
    """Store the patched version and queue its run; the new run's id."""
    kind = patch_format(content_type, patch)
    parent = runs.owned_run(session, principal, run_id)
    if parent.state != "done" or parent.recommendation is None:
        raise Conflict(f"run {run_id} has no plan to start a what-if from: it is {parent.state}")
    document = patched(parent.document, patch, kind)
    scenario = parse_scenario(document)  # 422 naming each path, as for any scenario
    check_scenario(scenario)
    solving.check_problem_size(scenario, settings.max_problem_size)
    limits.claim_place(session, principal.organisation_id, settings.org_max_active_runs)
    owner = session.scalars(
        ScenarioRepository(session, principal.organisation_id)
        .scoped()
        .where(Scenario.id == parent.scenario_id)
        .with_for_update()
    ).one()
    versions = ScenarioVersionRepository(session, principal.organisation_id)
    version = versions.add(
        ScenarioVersion(
            scenario_id=owner.id,
            number=versions.next_number(owner.id),
            document=scenario.model_dump(mode="json"),
            scenario_sha256=scenario_sha256(scenario),
            source="whatif",
            selection=None,
            created_by=principal.actor,
            parent_run_id=parent.id,
            patch=patch,
            patch_format=kind,
        )
    )
    row = runs.queue_run(session, principal, version, start_from_run_id=parent.id)
    audit.record(
        session,
        principal,
        "run.whatif",
        "run",
        str(row.id),
        changes={"parent_run": [None, str(parent.id)], "version": [None, version.number]},
    )
    return row.id


def await_whatif(
    database: Database, principal: Principal, run_id: uuid.UUID, wait_s: float
) -> WhatIfAnswer:
    """The what-if run once its plan is in (with its comparison against the parent), or as it
    is after `wait_s` seconds (202)."""
    deadline = time.monotonic() + wait_s
    while True:
        with database.read_transaction() as session:
            # Only the state while it solves: the whole row carries the scenario document,
            # read here fifty times a second beside the runner that is solving it.
            state = session.scalar(select(Run.state).where(
                Run.id == run_id, Run.organisation_id == principal.organisation_id))
            if state in FINISHED_STATES or state is None or time.monotonic() >= deadline:
                row = runs.owned_run(session, principal, run_id)
                out = runs.run_out(row)
                compared = None
                if row.state == "done" and row.recommendation is not None:
                    parent = (None if row.start_from_run_id is None
                              else runs.owned_run(session, principal, row.start_from_run_id))
                    if parent is not None and parent.recommendation is not None:
                        compared = comparison.compare(
                            [comparison.compared_run(parent), comparison.compared_run(row)]
                        )
                finished = row.state in FINISHED_STATES
                return WhatIfAnswer(200 if finished else 202,
                                    WhatIfOut(run=out, comparison=compared), run_path(row.id))
        time.sleep(WAIT_POLL_S)

