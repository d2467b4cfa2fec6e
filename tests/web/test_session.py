"""Signing in to the pages: the session cookie, CSRF, signing out, and where a key stops."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.core.config import Settings
from app.core.db import Database
from app.core.security import Role
from app.repositories.organisations import OrganisationRepository
from app.services.access.keys import cli_principal, create_key, revoke_key
from app.web.session import SESSION_COOKIE
from tests.conftest import ClientFactory
from tests.tenants import Tenant
from tests.web.signing_in import csrf_of, sign_in


def _payload(cookie: str) -> dict[str, str]:
    data = cookie.split(".")[0]
    decoded: dict[str, str] = json.loads(base64.b64decode(data + "=" * (-len(data) % 4)))
    return decoded


class TestSignIn:
    def test_a_page_without_a_session_sends_to_the_form_and_back(
            self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        client = client_factory(role=None)
        answer = client.get("/scenarios?x=1", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/sign-in?next=/scenarios%3Fx%3D1"

        form = client.get("/sign-in?next=/scenarios")
        signed = client.post("/sign-in", data={"csrf_token": csrf_of(form.text),
                                               "key": tenant_a.keys["viewer"],
                                               "next": "/scenarios"}, follow_redirects=False)
        assert signed.status_code == 303
        assert signed.headers["location"] == "/scenarios"
        assert client.get("/scenarios", follow_redirects=False).status_code == 200

    def test_the_cookie_is_signed_http_only_same_site_and_holds_no_key(
            self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        client = client_factory(role=None)
        form = client.get("/sign-in")
        signed = client.post("/sign-in", data={"csrf_token": csrf_of(form.text),
                                               "key": tenant_a.keys["planner"]},
                             follow_redirects=False)
        header = signed.headers["set-cookie"]
        assert "httponly" in header.lower()
        assert "samesite=lax" in header.lower()
        cookie = client.cookies[SESSION_COOKIE]
        assert tenant_a.keys["planner"] not in json.dumps(_payload(cookie))
        assert set(_payload(cookie)) == {"key_id", "csrf"}

        forged = cookie.split(".")
        forged[0] = base64.b64encode(json.dumps({"key_id": _payload(cookie)["key_id"],
                                                 "csrf": "x"}).encode()).decode()
        client.cookies.set(SESSION_COOKIE, ".".join(forged))
        assert client.get("/scenarios", follow_redirects=False).status_code == 303

    def test_production_marks_the_cookie_secure(
            self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        client = client_factory(role=None, env="production",
                                session_secret="a-secret-for-this-test-only")
        form = client.get("/sign-in")
        signed = client.post("/sign-in", data={"csrf_token": csrf_of(form.text),
                                               "key": tenant_a.keys["viewer"]},
                             follow_redirects=False)
        assert "secure" in signed.headers["set-cookie"].lower()

    def test_production_refuses_to_start_without_a_session_secret(self) -> None:
        with pytest.raises(ValidationError, match="ONDERBOUWD_SESSION_SECRET"):
            Settings(env="production")

    def test_a_wrong_key_is_a_401_page_and_no_session(
            self, client_factory: ClientFactory) -> None:
        client = client_factory(role=None)
        form = client.get("/sign-in")
        answer = client.post("/sign-in", data={"csrf_token": csrf_of(form.text),
                                               "key": "obd_xxxxxxxx_" + "y" * 40})
        assert answer.status_code == 401
        assert "the API key is not valid" in answer.text
        assert client.get("/scenarios", follow_redirects=False).status_code == 303

    @pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example",
                                           "/\\evil.example"])
    def test_sign_in_never_redirects_off_the_site(
            self, client_factory: ClientFactory, tenant_a: Tenant, next_path: str) -> None:
        client = client_factory(role=None)
        form = client.get("/sign-in")
        signed = client.post("/sign-in", data={"csrf_token": csrf_of(form.text),
                                               "key": tenant_a.keys["viewer"],
                                               "next": next_path}, follow_redirects=False)
        assert signed.headers["location"] == "/scenarios"


class TestCsrf:
    def test_a_post_without_the_token_is_refused(
            self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        client = client_factory(role=None)
        client.get("/sign-in")
        refused = client.post("/sign-in", data={"key": tenant_a.keys["viewer"]})
        assert refused.status_code == 403
        assert client.get("/scenarios", follow_redirects=False).status_code == 303

    def test_another_sessions_token_is_refused(
            self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        ours, theirs = client_factory(role=None), client_factory(role=None)
        sign_in(ours, tenant_a.keys["viewer"])
        their_token = sign_in(theirs, tenant_a.keys["viewer"])
        assert ours.post("/sign-out", data={"csrf_token": their_token}).status_code == 403
        assert ours.get("/scenarios", follow_redirects=False).status_code == 200


class TestSignOut:
    def test_signing_out_ends_the_session(self, client_factory: ClientFactory,
                                          tenant_a: Tenant) -> None:
        client = client_factory(role=None)
        token = sign_in(client, tenant_a.keys["viewer"])
        answer = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303
        assert client.get("/scenarios", follow_redirects=False).status_code == 303

    def test_revoking_the_key_signs_its_sessions_out(
            self, client_factory: ClientFactory, db: Database, tenant_a: Tenant) -> None:
        with db.transaction() as session:
            organisation = OrganisationRepository(session).by_name(tenant_a.name)
            assert organisation is not None
            made = create_key(session, cli_principal(organisation), "workshop", Role.viewer)
        client = client_factory(role=None)
        sign_in(client, made.key)
        assert client.get("/scenarios", follow_redirects=False).status_code == 200
        with db.transaction() as session:
            organisation = OrganisationRepository(session).by_name(tenant_a.name)
            assert organisation is not None
            revoke_key(session, cli_principal(organisation), made.id)
        assert client.get("/scenarios", follow_redirects=False).status_code == 303


def test_the_vendored_assets_are_served_by_the_app(api_client: TestClient) -> None:
    for path in ("vendor/htmx/htmx.min.js", "vendor/vega/vega.min.js",
                 "vendor/vega-lite/vega-lite.min.js", "vendor/vega-embed/vega-embed.min.js",
                 "app.js", "app.css"):
        answer = api_client.get(f"/static/{path}")
        assert answer.status_code == 200, path
        assert len(answer.content) > 1000, path
