"""`ETag` on reads and writes of writable resources, `If-Match` on their writes (OpenAPI too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from app.services.interface import etags

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=2000,
        description="The `ETag` you read: the write is refused with 412 when the resource has "
        "changed since (or does not exist). `*` = whatever its current state. Left out = "
        "write unconditionally.",
    ),
]

_ETAG_HEADER = {
    "ETag": {
        "description": "Strong entity tag of this representation; send it back as `If-Match` "
        "to write only if nothing changed in between.",
        "schema": {"type": "string"},
    }
}


def etag_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries saying these statuses carry an `ETag` header."""
    return {status: {"headers": _ETAG_HEADER} for status in statuses}


def with_etag(response: Response, representation: BaseModel | dict[str, Any]) -> None:
    response.headers["ETag"] = etags.etag(representation)


def upsert_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """An upsert's 200 and 201 (created), both carrying an `ETag`."""
    return {
        200: {"headers": _ETAG_HEADER},
        201: {"model": model, "description": "Created: there was none of that id.",
              "headers": _ETAG_HEADER},
    }
