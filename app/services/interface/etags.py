"""Strong entity tags (RFC 9110 §8.8.3) for writable resources, and the `If-Match` check.

The tag is a hash of the resource's representation as the API answers it, stamps included, so
it changes exactly when what a client read changes. Two integrations that each read, change and
write the same entity cannot overwrite each other silently: the second write's `If-Match` no
longer matches and is refused with 412.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

from app.core.errors import PreconditionFailed


def etag(representation: BaseModel | dict[str, Any]) -> str:
    """The tag of a representation (a model, or its JSON form: both give the same tag)."""
    if isinstance(representation, BaseModel):
        representation = representation.model_dump(mode="json")
    document = json.dumps(representation, sort_keys=True)
    return '"' + hashlib.sha256(document.encode()).hexdigest()[:32] + '"'


def check_if_match(if_match: str | None, current: BaseModel | None, what: str) -> None:
    """Refuse the write unless `If-Match` (when sent) names the current tag of `what`.

    `*` matches any current representation; weak tags never match (strong comparison). An
    entity that does not exist yet matches no tag, not even `*`."""
    if if_match is None:
        return
    tags = [tag.strip() for tag in if_match.split(",") if tag.strip()]
    if current is None:
        raise PreconditionFailed(
            f"If-Match was sent but {what} does not exist yet; leave If-Match out to create it"
        )
    if "*" in tags:
        return
    tag = etag(current)
    if tag not in tags:
        raise PreconditionFailed(
            f"{what} has changed since you read it: its ETag is now {tag}, If-Match named "
            f"{if_match}; read it again, reapply your change and send it with the new ETag"
        )
