"""`onderbouwd import cbs-kwb|leefbaarometer FILE`: public open-data files into an
organisation's catalogue, every buurt in the file or those of one gemeente, all or nothing.

The database layer and the loaders are imported inside the commands (the command line must
start fast); the progress bar follows the bytes read (CSV) or the rows (XLSX).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.core.security import Principal
    from app.services.imports.reading import Row, RowProblem
    from app.services.open_data import LoadSummary

app = typer.Typer(help="Read public open-data files (CBS KWB, Leefbaarometer) into the "
                  "catalogue of an organisation.", no_args_is_help=True)

EXIT_REFUSED = 1
PROGRESS_EVERY_ROWS = 200

FileArgument = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, readable=True,
    help="The file as published: CSV (comma, semicolon or tab) or XLSX (first sheet).")]
OrgOption = Annotated[str, typer.Option("--org", help="Name of the organisation.")]
GemeenteOption = Annotated[str | None, typer.Option(
    "--gemeente", help="Only this gemeente's buurten (CBS code, e.g. GM0344). Left out: every "
    "buurt in the file.")]

Loader = Callable[["Session", "Principal", Iterator["Row | RowProblem"], "list[str] | None"],
                  "LoadSummary"]


@app.command("cbs-kwb")
def cbs_kwb(
    file: FileArgument,
    org: OrgOption,
    gemeente: GemeenteOption = None,
    year: Annotated[int | None, typer.Option(
        "--year", min=1900, max=2200,
        help="The KWB edition's year; left out: read from the file name (kwb-2023.xlsx).")
    ] = None,
) -> None:
    """CBS Kerncijfers wijken en buurten (kwb-YYYY.xlsx or .csv): each buurt with its name,
    wijk, gemeente, homes (a_woning) and regulated homes (homes x p_wcorpw), and the indicators
    corporation_share, low_income_households and social_assistance of that year."""
    from app.services.open_data import kwb_year_from_name, load_kwb, read_kwb

    edition = year or kwb_year_from_name(file.name)
    if edition is None:
        raise typer.BadParameter("the file name does not say the KWB year (kwb-2023.xlsx); "
                                 "give it", param_hint="--year")
    _check_gemeente(gemeente)

    def load(session: Session, principal: Principal, rows: Iterator[Row | RowProblem],
             columns: list[str] | None) -> LoadSummary:
        return load_kwb(session, principal, read_kwb(rows, columns, gemeente), year=edition)

    _run(file, org, load, f"CBS KWB {edition}")


@app.command("leefbaarometer")
def leefbaarometer(file: FileArgument, org: OrgOption, gemeente: GemeenteOption = None) -> None:
    """Leefbaarometer 3.0 scores per buurt (all years in the file): the five dimensions as
    lbm_fys, lbm_onv, lbm_soc, lbm_vrz, lbm_won and the total's deviation as lbm_afw, for the
    buurten the catalogue holds (load their KWB file first: it gives their homes)."""
    from app.services.open_data import load_leefbaarometer, read_leefbaarometer

    _check_gemeente(gemeente)

    def load(session: Session, principal: Principal, rows: Iterator[Row | RowProblem],
             columns: list[str] | None) -> LoadSummary:
        return load_leefbaarometer(session, principal,
                                   read_leefbaarometer(rows, columns, gemeente))

    _run(file, org, load, "Leefbaarometer")


def _check_gemeente(gemeente: str | None) -> None:
    from app.services.open_data import gemeente_digits

    if gemeente is not None:
        try:
            gemeente_digits(gemeente)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--gemeente") from None


def _run(file: Path, org: str, load: Loader, what: str) -> None:
    from app.core.config import get_settings
    from app.core.db import Database
    from app.core.errors import NotFound
    from app.services.access.keys import organisation_principal
    from app.services.imports.reading import RowSource, Unreadable, detect_format
    from app.services.open_data import OpenDataRefused
    from app.services.open_data.formats import FileLayoutError

    console = Console(stderr=True)
    database = Database(get_settings().database_url)
    try:
        with file.open("rb") as handle, _progress(console) as progress:
            format = detect_format(file.name, None, handle.read(8))
            handle.seek(0)
            if format == "jsonl":
                raise typer.BadParameter("a CSV or XLSX file, as published", param_hint="FILE")
            task = progress.add_task(f"{what}: {file.name}", rows=0,
                                     total=file.stat().st_size if format == "csv" else None)
            with database.transaction() as session:
                try:
                    principal = organisation_principal(session, org)
                except NotFound:
                    raise typer.BadParameter(f"no organisation named {org!r}",
                                             param_hint="--org") from None
                source = RowSource(handle, format)
                rows = _tracked(iter(source), handle, progress, task, format == "csv")
                summary = load(session, principal, rows, source.columns)
    except (Unreadable, FileLayoutError, OpenDataRefused) as error:
        console.print(f"[red]{file.name}: {error}; nothing was written[/red]")
        raise typer.Exit(EXIT_REFUSED) from None
    finally:
        database.dispose()
    _print_summary(console, org, summary)


def _progress(console: Console) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TaskProgressColumn(), TextColumn("{task.fields[rows]:,} rows"),
                    TimeElapsedColumn(), console=console, transient=False)


def _tracked(rows: Iterator[Any], handle: IO[bytes], progress: Progress, task: TaskID,
             by_bytes: bool) -> Iterator[Any]:
    count = 0
    for row in rows:
        count += 1
        if count % PROGRESS_EVERY_ROWS == 0:
            progress.update(task, rows=count, completed=handle.tell() if by_bytes else count)
        yield row
    progress.update(task, rows=count,
                    completed=progress.tasks[0].total if by_bytes else count)


def _print_summary(console: Console, org: str, summary: LoadSummary) -> None:
    buurten, measurements = summary.buurten, summary.measurements
    console.print(f"{org}: {summary.read:,} read")
    if buurten.created or buurten.updated or buurten.unchanged:
        console.print(f"  buurten: {buurten.created:,} created, {buurten.updated:,} updated, "
                      f"{buurten.unchanged:,} unchanged")
    console.print(f"  measurements: {measurements.created:,} created, "
                  f"{measurements.updated:,} updated, {measurements.unchanged:,} unchanged")
    if summary.indicators_created:
        console.print(f"  indicators created: {', '.join(summary.indicators_created)}")
    if summary.skipped:
        codes = sorted(summary.skipped)
        shown = ", ".join(codes[:10]) + (f" and {len(codes) - 10:,} more" if len(codes) > 10
                                         else "")
        console.print(f"  skipped {len(codes):,} buurten (not in the catalogue and no homes in "
                      f"the file): {shown}")
