"""The web pages' session: a signed cookie (Starlette's `SessionMiddleware`, itsdangerous) that
names the API key the user signed in with, and a CSRF token every form post must echo.

The cookie is HttpOnly and SameSite=Lax, Secure in production; it holds the key's id, never
the key. Each request looks the key up again, so a revoked key signs its sessions out.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from app.api.deps import DatabaseDep
from app.core.errors import OnderbouwdError, Unauthorized
from app.services.access.web_sign_in import WebUser, signed_in

SESSION_COOKIE = "onderbouwd_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_KEY_ID = "key_id"
_CSRF = "csrf"


class SignInRequired(Exception):
    """No valid session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(OnderbouwdError):
    status = 403
    title = "Form expired"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (also before signing in)."""
    token = request.session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_CSRF] = token
    return token


async def check_csrf(request: Request) -> None:
    """Every state-changing web request carries the session's token, as a form field or (htmx)
    as a header; a cross-site form cannot know it."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get(_CSRF)
    if not sent or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("this form has expired or came from another site: reload the page "
                          "and try again")


def remember(request: Request, user: WebUser) -> None:
    request.session.clear()  # a new session on sign-in: nothing carries over
    request.session[_KEY_ID] = str(user.principal.key_id)
    csrf_token(request)


def forget(request: Request) -> None:
    request.session.clear()


def current_user(request: Request, database: DatabaseDep) -> WebUser:
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raw = request.session.get(_KEY_ID)
    try:
        key_id = uuid.UUID(str(raw))
    except ValueError:
        raise SignInRequired(next_path) from None
    try:
        with database.read_transaction() as session:
            return signed_in(session, key_id)
    except Unauthorized:
        request.session.clear()
        raise SignInRequired(next_path) from None


def sign_in_url(next_path: str) -> str:
    return "/sign-in?next=" + quote(next_path, safe="/")


def safe_next(next_path: str | None) -> str:
    """Only a path on this site: `//evil.example` and `https://…` go to the start page."""
    if not next_path or not next_path.startswith("/") or next_path.startswith("//") or (
        "\\" in next_path
    ):
        return "/scenarios"
    return next_path


UserDep = Annotated[WebUser, Depends(current_user)]
CsrfChecked = Depends(check_csrf)
