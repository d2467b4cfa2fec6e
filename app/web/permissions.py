"""The roles of the API hold on the pages too: a viewer's key reads, a planner's also starts
runs, sweeps and what-ifs."""

from __future__ import annotations

from app.core.errors import Forbidden
from app.core.security import Role
from app.services.access.web_sign_in import WebUser


def require_planner(user: WebUser) -> None:
    if not user.principal.role.allows(Role.planner):
        raise Forbidden(f"this needs a key with the role planner or higher; you signed in "
                        f"with a {user.principal.role.value} key")


def may_plan(user: WebUser) -> bool:
    return user.principal.role.allows(Role.planner)
