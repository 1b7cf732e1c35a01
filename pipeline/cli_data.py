"""Commands for people using the dataset: ``juesuan query`` and ``juesuan report``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


def query(
    sql: Annotated[str, typer.Argument(help='SQL over the tables documents, tables, table_cells, narrative_facts, '
                                            'findings, performance_forms, performance_indicators and the views '
                                            'document_summary, document_tables, findings_detail, '
                                            'performance_claims_vs_numbers, wide_<table>')],
    data: Annotated[Path, typer.Option("--data", help="dataset folder")] = Path("data/clean"),
    csv_out: Annotated[Path | None, typer.Option("--csv", help="write the result to this CSV file instead")] = None,
) -> None:
    """Run SQL (DuckDB) over the dataset; print the result as a table or write it as CSV."""
    import duckdb

    from pipeline.query import run_query, write_result_csv
    from schemas.records import cell_text

    err = Console(stderr=True)
    if not (data / "documents.csv").exists():
        err.print(f"[red]no dataset in {escape(str(data))} (documents.csv missing): run `juesuan extract` first")
        raise typer.Exit(2)
    try:
        result = run_query(sql, data)
    except duckdb.Error as e:
        err.print(f"[red]query failed:[/] {escape(str(e))}")
        raise typer.Exit(1) from e
    if csv_out:
        write_result_csv(result, csv_out)
        err.print(f"{len(result.rows)} rows → {escape(str(csv_out))}")
        return
    table = Table(*(escape(c) for c in result.columns), show_lines=False)
    for row in result.rows:
        table.add_row(*(escape(cell_text(v)) for v in row))
    Console().print(table)
    err.print(f"{len(result.rows)} rows")


def report(
    data: Annotated[Path, typer.Option("--data", help="dataset folder")] = Path("data/clean"),
    pdfs: Annotated[list[Path] | None, typer.Option("--pdfs", help="folder(s) holding the source PDFs "
                                                                    "(default: data/raw)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="report folder (default: DATA/report)")] = None,
) -> None:
    """Write a static HTML evidence report: per document its tables, headline figures and findings with page crops."""
    from pipeline.report import write_report

    err = Console(stderr=True)
    if not (data / "documents.csv").exists():
        err.print(f"[red]no dataset in {escape(str(data))} (documents.csv missing): run `juesuan extract` first")
        raise typer.Exit(2)
    out = out or data / "report"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as progress:
        task = progress.add_task("report", total=None)

        def step(name: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=escape(name[:40]))

        index = write_report(data, out, pdf_roots=pdfs or [Path("data/raw")], on_progress=step)
    err.print(f"report → {escape(str(index))}")


def register_data_commands(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(report)
