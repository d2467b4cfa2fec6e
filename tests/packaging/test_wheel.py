"""The package installs: a wheel built from the committed files alone (`git archive HEAD`),
installed into a new virtual environment, works from another folder: `db upgrade`, `demo`,
`solve examples/design_example.json` and `serve` (migrations, demo data and everything the
service needs ship inside the package).

The dependencies are installed from uv's cache at the versions `uv.lock` pins (offline); only
when the cache lacks them are they fetched from PyPI.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")
DESIGN_OPTIMUM = 10737.17  # DESIGN §3's example, proven optimal

pytestmark = pytest.mark.slow


def _own_uv_environment() -> dict[str, str]:
    """This process's environment without the uv settings of whoever started it (`make`
    exports some for its own .venv), so uv works on the paths given here and nothing else."""
    return {name: value for name, value in os.environ.items() if not name.startswith("UV_")}


def _run(arguments: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    env = _own_uv_environment() if env is None else env
    done = subprocess.run([str(a) for a in arguments], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    if check:
        assert done.returncode == 0, f"{arguments}: {done.stdout}\n{done.stderr}"
    return done


def _clean_checkout(target: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("the wheel is built from `git archive HEAD`: run the tests in a git checkout")
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def _install(checkout: Path, venv: Path, wheel: Path) -> None:
    """The locked dependencies (no dev group, not the project) into `venv`, then the wheel."""
    environment = {**_own_uv_environment(), "UV_PROJECT_ENVIRONMENT": str(venv),
                   "UV_PYTHON_DOWNLOADS": "never"}
    sync = ["sync", "--frozen", "--no-dev", "--no-install-project", "--python", sys.executable,
            "--project", checkout]
    if _run([UV, *sync, "--offline"], cwd=checkout, env=environment, check=False).returncode:
        _run([UV, *sync], cwd=checkout, env=environment)  # from PyPI
    _run([UV, "pip", "install", "--no-deps", "--offline", "--python", venv / "bin" / "python",
          wheel], cwd=checkout)
    _run([UV, "pip", "check", "--python", venv / "bin" / "python"], cwd=checkout)


def test_a_wheel_from_a_clean_checkout_works_from_any_folder(tmp_path: Path) -> None:
    assert UV.exists(), f"uv is installed beside {sys.executable} by `make install`"
    checkout, out, venv, elsewhere = (tmp_path / name for name in
                                      ("checkout", "dist", "venv", "elsewhere"))
    checkout.mkdir()
    elsewhere.mkdir()
    _clean_checkout(checkout)

    _run([UV, "build", "--wheel", "--out-dir", out, checkout], cwd=checkout)
    [wheel] = out.glob("onderbouwd-*.whl")
    _install(checkout, venv, wheel)
    shutil.rmtree(checkout)  # nothing of the source is left to lean on

    scenario = elsewhere / "design_example.json"
    shutil.copy(ROOT / "examples" / "design_example.json", scenario)
    onderbouwd = venv / "bin" / "onderbouwd"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(elsewhere),
           "ONDERBOUWD_DATABASE_URL": f"sqlite:///{elsewhere / 'onderbouwd.db'}"}

    upgraded = _run([onderbouwd, "db", "upgrade"], cwd=elsewhere, env=env)
    assert "migrated to" in upgraded.stderr
    demo = _run([onderbouwd, "demo"], cwd=elsewhere, env=env)
    assert "111 buurten" in demo.stderr
    organisation = demo.stderr.split(":")[0].strip()
    created = _run([onderbouwd, "keys", "create", "--org", organisation, "--role", "viewer"],
                   cwd=elsewhere, env=env)
    key = created.stdout.strip().splitlines()[-1]
    solved = _run([onderbouwd, "solve", scenario, "--json"], cwd=elsewhere, env=env)
    answer = json.loads(solved.stdout)
    assert answer["status"] == "optimal"
    assert answer["objective"] == pytest.approx(DESIGN_OPTIMUM, abs=0.01)

    _serves(onderbouwd, elsewhere, env, key)


def _serves(onderbouwd: Path, folder: Path, env: dict[str, str], key: str) -> None:
    """`serve` answers, with the demo organisation's catalogue."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(onderbouwd), "serve", "--port", str(port)], cwd=folder,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)
        listed = httpx.get(f"{base}/api/v1/neighbourhoods", params={"limit": 500},
                           headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert listed.status_code == 200, listed.text
        assert len(listed.json()["items"]) == 111
        assert httpx.get(f"{base}/openapi.json", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(10)
