"""`Idempotency-Key`: the first answer to a request is stored with a digest of the request and
replayed for a retry with the same key and the same request; another request under the same key
is refused. The record is written in the request's own transaction, so it exists exactly when
what the request created exists."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import IdempotencyKeyReused
from app.core.security import Principal
from app.models import IdempotencyRecord
from app.repositories.audit import IdempotencyRepository


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    location: str | None = None


def request_digest(request: Any) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def once(
    session: Session,
    principal: Principal,
    scope: str,
    key: str | None,
    request: Any,
    produce: Callable[[], Answer],
) -> Answer:
    """`produce()`'s answer, or with a known `key` the stored one (same request) or a 409."""
    if key is None:
        return produce()
    repository = IdempotencyRepository(session, principal.organisation_id)
    digest = request_digest(request)
    found = repository.find(scope, key)
    if found is not None:
        if found.request_sha256 != digest:
            raise IdempotencyKeyReused(
                f"the Idempotency-Key {key!r} was used before with a different request; "
                "use a new key for a new request"
            )
        return Answer(found.status_code, found.response, found.location)
    answer = produce()
    repository.add(
        IdempotencyRecord(
            scope=scope,
            key=key,
            request_sha256=digest,
            status_code=answer.status_code,
            response=answer.body,
            location=answer.location,
        )
    )
    return answer
