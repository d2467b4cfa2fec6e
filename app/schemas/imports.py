"""API shapes of bulk imports: the report of a dry run or an import, and the record kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

ImportState = Literal["succeeded", "rejected", "dry_run"]


class ImportProblem(BaseModel):
    row: int = Field(description="Row as a spreadsheet shows it (header = 1); in JSON lines, "
                     "the line.")
    column: str | None = Field(description="The file's column (JSON lines: the member's path).")
    value: Any = Field(default=None, description="What the cell holds, as read.")
    message: str


class ImportOut(BaseModel):
    id: uuid.UUID | None = Field(description="The import's id; null for a dry run (not kept).")
    kind: str
    format: Literal["csv", "xlsx", "jsonl"]
    filename: str | None = None
    state: ImportState = Field(
        description="`succeeded`: written (all of it); `rejected`: problems, nothing written; "
        "`dry_run`: nothing written, what an import would do."
    )
    rows: int = Field(description="Data rows read.")
    created: int = Field(description="Rows that create an entity (would, in a dry run).")
    updated: int = Field(description="Rows that change a stored entity.")
    unchanged: int = Field(description="Rows equal to what is stored.")
    problem_count: int
    problems: list[ImportProblem] = Field(
        description="Every problem, in file order (the first 1,000 when there are more)."
    )
    actor: str
    created_at: datetime
