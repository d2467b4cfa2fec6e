"""An integration tour through a Python client generated from `openapi/openapi.json` by
openapi-python-client, unedited, against a real server (uvicorn on 127.0.0.1, port 0): import
neighbourhoods from a CSV, store a scenario, start a run, receive its webhook, export it as XLSX
and as VERA JSON."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from openpyxl import load_workbook
from standardwebhooks import Webhook as Verifier

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.receiver import receiver
from tests.tenants import Tenant

ROOT = Path(__file__).resolve().parents[3]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The generated package, imported under a name of its own."""
    folder = tmp_path_factory.mktemp("client")
    name = "onderbouwd_generated_client"
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(ROOT / "openapi" / "openapi.json"),
         "--meta", "none", "--output-path", str(folder / name)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


@pytest.fixture
def server(db: Database, test_settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free port, with its runner and webhook dispatcher."""
    settings = test_settings.model_copy(update={
        "runner_enabled": True, "runner_poll_s": 0.05, "webhook_dispatcher_enabled": True,
        "webhook_poll_s": 0.05})
    config = uvicorn.Config(create_app(settings, database=db), host="127.0.0.1", port=0,
                            log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = instance.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(30)


def _module(package: Any, path: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{path}")


def test_the_integration_tour(generated: Any, server: str, tenant_a: Tenant,
                              design_example: dict) -> None:
    api = "api"
    models = _module(generated, "models")
    client = generated.AuthenticatedClient(base_url=server, token=tenant_a.keys["admin"])

    with receiver() as hook:
        webhook = _module(generated, f"{api}.webhooks.create_webhook").sync(
            client=client, body=models.WebhookCreate.from_dict(
                {"url": hook.url, "events": ["run.finished", "run.failed", "import.finished"]}))
        assert isinstance(webhook, models.WebhookCreated), webhook

        rows = "".join(f"{n['code']},{n['name']},{n['municipality']},{n['homes']},"
                       f"{n['regulated_homes']}\n" for n in design_example["neighbourhoods"])
        upload = generated.types.File(
            payload=io.BytesIO(("code,name,municipality,homes,regulated_homes\n" + rows).encode()),
            file_name="neighbourhoods.csv", mime_type="text/csv")
        imported = _module(generated, f"{api}.imports.create_import").sync(
            client=client, kind=models.ImportKind.NEIGHBOURHOODS,
            body=models.BodyCreateImport(file=upload))
        assert isinstance(imported, models.ImportOut), imported
        assert (imported.state, imported.rows) == ("succeeded", 2)
        listed = _module(generated, f"{api}.catalogue.list_neighbourhoods").sync(
            client=client)
        assert sorted(n.code for n in listed.items) == sorted(
            n["code"] for n in design_example["neighbourhoods"])

        scenario = _module(generated, f"{api}.scenarios.create_scenario").sync(
            client=client, body=models.ScenarioWrite.from_dict({"document": design_example}))
        assert isinstance(scenario, models.ScenarioOut), scenario

        run = _module(generated, f"{api}.scenarios.start_run").sync(
            scenario_id=scenario.id, client=client, body=models.RunStart())
        assert isinstance(run, models.RunOut), run

        received = hook.wait_for(2)
    events = {e["type"]: e for e in (Verifier(webhook.secret).verify(r.body, r.headers)
                                     for r in received)}
    assert events.keys() == {"import.finished", "run.finished"}
    assert events["import.finished"]["data"]["id"] == str(imported.id)
    assert events["run.finished"]["data"]["run_id"] == str(run.id)

    done = _module(generated, f"{api}.runs.get_run").sync(run_id=run.id, client=client)
    assert done.state == "done"
    assert done.objective == pytest.approx(10737.17, abs=0.01)  # DESIGN §3's proven optimum

    xlsx = _module(generated, f"{api}.exports.download_allocations_xlsx").sync_detailed(
        run_id=run.id, client=client)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["allocations"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(done.recommendation.allocations) == 3

    vera = _module(generated, f"{api}.exports.export_run").sync(
        run_id=run.id, client=client, format_=models.ExportRunFormat.VERA).to_dict()
    assert vera["vera"]["versie"] == "4.3.0+260116.26"
    assert sorted((p["extra-attributen"][0]["waarde"]) for p in vera["projecten"]) == sorted(
        a.neighbourhood for a in done.recommendation.allocations)
