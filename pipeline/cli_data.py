"""Commands for people using the dataset: ``juesuan query`` and ``juesuan report``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli_options import DEFAULT_DATASET, DatasetOpt, progress_bar
from pipeline.wording import plural
from schemas.records import cell_text

if TYPE_CHECKING:
    from pipeline.query import QueryResult


def require_dataset(data: Path, err: Console) -> None:
    """Refuse (exit 2) a folder that holds no dataset: a typo must not create or read an empty one."""
    if not (Path(data) / "documents.csv").is_file():
        err.print(f"[red]no dataset in {escape(str(data))} (documents.csv missing): run `juesuan extract` first")
        raise typer.Exit(2)


def query(
    sql: Annotated[str, typer.Argument(help='SQL over the tables documents, tables, table_cells, narrative_facts, '
                                            'findings, performance_forms, performance_indicators and the views '
                                            'document_summary, document_tables, findings_detail, '
                                            'performance_claims_vs_numbers, wide_<table>')],
    data: DatasetOpt = DEFAULT_DATASET,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="write the result to this CSV file instead")] = None,
    bom: Annotated[bool, typer.Option("--bom", help="with --csv: start the file with a BOM, for Excel on Windows")] = False,
    records: Annotated[bool | None, typer.Option(
        "--records/--grid", help="one block per row (column: value), or a grid; default: records when the "
                                 "grid would not fit the terminal")] = None,
) -> None:
    """Run SQL (DuckDB, read-only) over the dataset; print the result, or write it as CSV with --csv."""
    import duckdb

    from pipeline.query import WriteRefused, run_query, write_result_csv

    err = Console(stderr=True)
    require_dataset(data, err)
    if bom and not csv_out:
        err.print("[red]--bom goes with --csv FILE (a BOM at the start of a file tells Excel it is UTF-8)")
        raise typer.Exit(2)
    try:
        result = run_query(sql, data)
    except WriteRefused as e:
        err.print(f"[red]{escape(str(e))}")
        raise typer.Exit(2) from e
    except duckdb.Error as e:
        err.print(f"[red]query failed:[/] {escape(str(e))}")
        raise typer.Exit(1) from e
    if csv_out:
        write_result_csv(result, csv_out, bom=bom)
        err.print(f"{plural(len(result.rows), 'row')} → {escape(str(csv_out))}")
        return
    out = Console()
    if records if records is not None else grid_width(result) > out.width:
        print_records(result, out)
        err.print(f"{plural(len(result.rows), 'row')}, shown one block per row (too wide for a grid of "
                  f"{out.width} columns); --csv FILE writes them as CSV (--bom for Excel)")
        return
    table = Table(*(escape(c) for c in result.columns), show_lines=False)
    for row in result.rows:
        table.add_row(*(escape(cell_text(v)) for v in row))
    out.print(table)
    err.print(plural(len(result.rows), "row"))


def grid_width(result: QueryResult) -> int:
    """Terminal cells a grid of the whole result needs without wrapping (CJK characters count two)."""
    widths = [cell_len(c) for c in result.columns]
    for row in result.rows:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], max((cell_len(line) for line in cell_text(v).splitlines()), default=0))
    return sum(widths) + 3 * len(widths) + 1


def print_records(result: QueryResult, out: Console) -> None:
    """Each row as a block of ``column  value`` lines: wide rows stay readable at any terminal width."""
    label = max((cell_len(c) for c in result.columns), default=0)
    for n, row in enumerate(result.rows, start=1):
        out.print(f"[dim]── row {n} ──[/]")
        for column, value in zip(result.columns, row, strict=True):
            pad = " " * (label - cell_len(column))
            out.print(f"[bold]{escape(column)}[/]{pad}  {escape(cell_text(value))}", soft_wrap=True)


def report(
    data: DatasetOpt = DEFAULT_DATASET,
    pdfs: Annotated[list[Path] | None, typer.Option("--pdfs", help="folder(s) holding the source PDFs "
                                                                    "(default: data/raw)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="report folder (default: DATA/report)")] = None,
    single_file: Annotated[bool, typer.Option(
        "--single-file", help="embed the page images in index.html: one file to mail or share")] = False,
) -> None:
    """Write a static HTML evidence report: per document its tables, headline figures and findings with page crops."""
    from pipeline.report import write_report

    err = Console(stderr=True)
    require_dataset(data, err)
    out = out or data / "report"
    with progress_bar(err) as progress:
        task = progress.add_task("report", total=None)

        def step(name: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=escape(name[:40]))

        index = write_report(data, out, pdf_roots=pdfs or [Path("data/raw")], on_progress=step,
                             single_file=single_file)
    if single_file:
        err.print(f"report → {escape(str(index))} (one file, images inside: share it as it is)")
    else:
        err.print(f"report → {escape(str(index))} (with the images in {escape(str(index.parent / 'img'))}; "
                  "--single-file makes one file to share)")


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(report)
