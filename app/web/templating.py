"""Jinja2 templates of the pages, with the organisation's number formats and the CSRF token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import HTMLResponse

from app.core.config import VERSION
from app.web.formatting import Numbers
from app.web.session import CSRF_FIELD, CSRF_HEADER, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _json_script(value: Any) -> Markup:
    """JSON that is safe inside `<script type="application/json">`: `</` cannot end it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


TEMPLATES.env.filters["json_script"] = _json_script


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    locale: str = "en",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    numbers = Numbers(locale)
    page = {
        "n": numbers,
        "html_lang": "nl" if numbers.is_dutch else "en",
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "csrf_header": CSRF_HEADER,
        "version": VERSION,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, page, status_code=status_code,
                                      headers=headers)
