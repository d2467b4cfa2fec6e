"""The one place an import's end is announced (succeeded or rejected; dry runs are not).

The `import.finished` webhook event is put into the outbox here, in the request's transaction,
so it is sent exactly when the import's record is committed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.security import Principal
from app.schemas.imports import ImportOut
from app.services.webhooks import record_event


def import_finished(session: Session, principal: Principal, record: ImportOut) -> None:
    """Hook for the `import.finished` webhook event (payload: `record` as JSON)."""
    record_event(session, principal.organisation_id, "import.finished",
                 record.model_dump(mode="json"))
