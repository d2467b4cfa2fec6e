from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.core.config import VERSION

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/health", response_model=Health, summary="Liveness check (no key needed)")
async def health() -> Health:
    return Health(status="ok", version=VERSION)
