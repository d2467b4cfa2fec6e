"""`onderbouwd import cbs-kwb|leefbaarometer FILE` on excerpts of the published files
(`tests/data/open_data/PROVENANCE.md`), checked against values worked out by hand from the
files' own cells; and the command line starts without the heavy modules."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from app.cli.main import app
from app.core.config import get_settings
from app.core.db import Database
from tests.tenants import Tenant

DATA = Path(__file__).resolve().parents[1] / "data" / "open_data"
KWB = DATA / "kwb-2023-utrecht-sample.csv"
LBM_UTRECHT = DATA / "leefbaarometer-utrecht-sample.csv"
LBM_ROTTERDAM = DATA / "leefbaarometer-2024-rotterdam-sample.csv"
V1 = "/api/v1"

runner = CliRunner()

# By hand from the KWB 2023 cells (a_woning, p_wcorpw, a_soz_wb, a_inw): regulated homes are
# homes × p_wcorpw / 100 rounded (3,675 × 0.54 = 1,984.5 rounds to the even 1,984, as the demo
# does); social assistance is a_soz_wb per 1,000 a_inw where at least 500 live.
KWB_BUURTEN = {
    "BU03440244": ("Zuilen-Noord", "Noordwest", 1698, 611,  # 1,698 × 0.36 = 611.28
                   {"corporation_share": 36, "social_assistance": 1000 * 130 / 3775}),
    "BU03440831": ("Kanaleneiland-Zuid", "Zuidwest", 3675, 1984,
                   {"corporation_share": 54, "social_assistance": 1000 * 720 / 8980}),
    "BU03440832": ("Kanaleneiland-Noord", "Zuidwest", 4098, 1598,  # 4,098 × 0.39 = 1,598.22
                   {"corporation_share": 39, "social_assistance": 1000 * 570 / 8680}),
    # One home, no inhabitants, every share suppressed (`.`); its wijk (09) has no row in the
    # excerpt, so no wijk name.
    "BU03440952": ("Bedrijvengebied Strijkviertel", None, 1, 0, {}),
}


@pytest.fixture
def cli_database(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("ONDERBOUWD_DATABASE_URL", db.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


@pytest.fixture
def viewer(api_client: TestClient) -> TestClient:
    return api_client


def _import(*arguments: str) -> Result:
    return runner.invoke(app, ["import", *arguments])


def _values(client: TestClient, code: str) -> dict[tuple[str, int], float]:
    body = client.get(f"{V1}/neighbourhoods/{code}").json()
    return {(v["indicator"], v["year"]): v["value"] for v in body["indicator_values"]}


@pytest.mark.usefixtures("cli_database")
class TestCbsKwb:
    def test_each_buurt_with_its_homes_and_indicators(self, tenant_a: Tenant,
                                                      viewer: TestClient) -> None:
        result = runner.invoke(app, ["import", "cbs-kwb", str(KWB), "--org", tenant_a.name])

        assert result.exit_code == 0, result.output
        listed = viewer.get(f"{V1}/neighbourhoods").json()["items"]
        assert sorted(item["code"] for item in listed) == sorted(KWB_BUURTEN)
        for code, (name, district, homes, regulated, values) in KWB_BUURTEN.items():
            stored = viewer.get(f"{V1}/neighbourhoods/{code}").json()
            assert (stored["name"], stored["district"], stored["municipality"]) == (
                name, district, "Utrecht"), code
            assert (stored["homes"], stored["regulated_homes"]) == (homes, regulated), code
            assert _values(viewer, code) == pytest.approx(
                {(key, 2023): value for key, value in values.items()}, abs=1e-6), code
        indicator = viewer.get(f"{V1}/indicators/social_assistance").json()
        assert indicator["domain"] == "vulnerable_residents"
        assert "4 read" in result.output

    def test_the_same_file_again_changes_nothing(self, tenant_a: Tenant,
                                                 viewer: TestClient) -> None:
        assert _import("cbs-kwb", str(KWB), "--org", tenant_a.name).exit_code == 0
        tags = {code: viewer.get(f"{V1}/neighbourhoods/{code}").headers["ETag"]
                for code in KWB_BUURTEN}

        again = runner.invoke(app, ["import", "cbs-kwb", str(KWB), "--org", tenant_a.name])

        assert again.exit_code == 0, again.output
        assert "buurten: 0 created, 0 updated, 4 unchanged" in again.output
        assert "measurements: 0 created, 0 updated, 6 unchanged" in again.output
        assert {code: viewer.get(f"{V1}/neighbourhoods/{code}").headers["ETag"]
                for code in KWB_BUURTEN} == tags

    def test_xlsx_reads_as_the_csv(self, tenant_a: Tenant, viewer: TestClient,
                                   tmp_path: Path) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        with KWB.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append([_as_number(cell) for cell in row])
        path = tmp_path / "kwb-2023.xlsx"
        workbook.save(path)

        result = runner.invoke(app, ["import", "cbs-kwb", str(path), "--org", tenant_a.name])

        assert result.exit_code == 0, result.output
        stored = viewer.get(f"{V1}/neighbourhoods/BU03440831").json()
        assert (stored["homes"], stored["regulated_homes"], stored["district"]) == (
            3675, 1984, "Zuidwest")
        assert _values(viewer, "BU03440831")[("social_assistance", 2023)] == pytest.approx(
            1000 * 720 / 8980, abs=1e-6)

    def test_one_gemeente_only(self, tenant_a: Tenant, viewer: TestClient) -> None:
        other = runner.invoke(app, ["import", "cbs-kwb", str(KWB), "--org", tenant_a.name,
                                    "--gemeente", "GM0599"])
        assert other.exit_code == 0, other.output
        assert viewer.get(f"{V1}/neighbourhoods").json()["items"] == []

        utrecht = runner.invoke(app, ["import", "cbs-kwb", str(KWB), "--org", tenant_a.name,
                                      "--gemeente", "GM0344"])
        assert utrecht.exit_code == 0, utrecht.output
        assert len(viewer.get(f"{V1}/neighbourhoods").json()["items"]) == 4

    @pytest.mark.parametrize(("arguments", "message"), [
        (["--gemeente", "Utrecht"], "GM0344"),
        (["--org", "Nobody"], "no organisation named 'Nobody'"),
    ])
    def test_bad_options_are_named_and_write_nothing(
        self, tenant_a: Tenant, viewer: TestClient, arguments: list[str], message: str
    ) -> None:
        options = ["--org", tenant_a.name, *arguments] if "--org" not in arguments else arguments
        result = runner.invoke(app, ["import", "cbs-kwb", str(KWB), *options])

        assert result.exit_code == 2
        assert message in result.output
        assert viewer.get(f"{V1}/neighbourhoods").json()["items"] == []

    def test_a_file_of_another_layout_is_refused_whole(self, tenant_a: Tenant,
                                                       viewer: TestClient) -> None:
        result = runner.invoke(app, ["import", "cbs-kwb", str(LBM_UTRECHT), "--year", "2024",
                                     "--org", tenant_a.name])

        assert result.exit_code == 1
        assert "not a CBS KWB file" in result.output
        assert viewer.get(f"{V1}/indicators").json()["items"] == []


@pytest.mark.usefixtures("cli_database")
class TestLeefbaarometer:
    def test_the_scores_of_the_catalogues_buurten_every_year(
        self, tenant_a: Tenant, viewer: TestClient, tmp_path: Path
    ) -> None:
        assert _import("cbs-kwb", str(KWB), "--org", tenant_a.name).exit_code == 0
        # A national file holds every gemeente: Utrecht's rows and Rotterdam's, one after the
        # other (Rotterdam's buurten are not in this catalogue).
        national = tmp_path / "Leefbaarometer-scores buurten 2002-2024.csv"
        national.write_text(LBM_UTRECHT.read_text(encoding="utf-8")
                            + "".join(LBM_ROTTERDAM.read_text(encoding="utf-8")
                                      .splitlines(keepends=True)[1:]), encoding="utf-8")

        result = runner.invoke(app, ["import", "leefbaarometer", str(national),
                                     "--org", tenant_a.name])

        assert result.exit_code == 0, result.output
        values = _values(viewer, "BU03440831")
        # From the file's row for Kanaleneiland-Zuid, 2024 and 2002 (dimensions NA in 2002).
        assert values[("lbm_afw", 2024)] == -0.314966995380179
        assert values[("lbm_onv", 2024)] == -0.203211597580764
        assert values[("lbm_won", 2024)] == -0.125090112312305
        assert values[("lbm_afw", 2002)] == -0.38473760839441
        assert ("lbm_onv", 2002) not in values
        # 9 metingen with a total, 5 of them (2014-2024 less 2016) with the five dimensions.
        lbm = {key: value for key, value in values.items() if key[0].startswith("lbm_")}
        assert len(lbm) == 9 + 5 * 5
        assert len([k for k in _values(viewer, "BU03440244") if k[0].startswith("lbm_")]) == 34
        assert not any(k[0].startswith("lbm_") for k in _values(viewer, "BU03440832"))
        assert "skipped 3 buurten" in result.output
        assert "BU05990110" in result.output
        onv = viewer.get(f"{V1}/indicators/lbm_onv").json()
        assert (onv["domain"], onv["direction"]) == ("nuisance_safety", "higher_is_better")

    def test_one_gemeente_only(self, tenant_a: Tenant, viewer: TestClient) -> None:
        assert _import("cbs-kwb", str(KWB), "--org", tenant_a.name).exit_code == 0

        result = runner.invoke(app, ["import", "leefbaarometer", str(LBM_UTRECHT), "--org",
                                     tenant_a.name, "--gemeente", "GM0599"])

        assert result.exit_code == 0, result.output
        assert "0 read" in result.output
        assert not any(k[0].startswith("lbm_") for k in _values(viewer, "BU03440831"))


def _as_number(cell: str) -> object:
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell


def test_the_command_line_starts_without_the_heavy_modules() -> None:
    heavy = ["fastapi", "starlette", "sqlalchemy", "pulp", "highspy", "openpyxl", "alembic"]
    program = (
        "import json, sys\n"
        "from app.cli.main import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "for name in ('import', 'import cbs-kwb', 'db', 'keys'):\n"
        "    try:\n"
        "        app([*name.split(), '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    assert "cbs-kwb" in done.stdout
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
