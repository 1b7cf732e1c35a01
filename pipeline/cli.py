"""The ``juesuan`` command line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.cli_data import register_data_commands
from pipeline.cli_flows import register as register_flow_commands
from pipeline.cli_text import register as register_text_command

app = typer.Typer(help="juesuan: Chinese departmental final-account and budget PDFs → one clean, cross-checked dataset.",
                  no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False)], force=True)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="PDF or .txt files, or folders of them")],
    out: Annotated[Path, typer.Option("--out", "-o", help="dataset folder")] = Path("data/clean"),
    fresh: Annotated[bool, typer.Option(help="start an empty dataset instead of merging into OUT")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Extract tables and narrative figures from PATHS, check them, and write the dataset to OUT."""
    _logging(verbose)
    from pipeline.run import extract_into, find_sources

    files = find_sources(paths)
    if not files:
        console.print(f"[red]no PDF or .txt files found in {', '.join(map(str, paths))}")
        raise typer.Exit(2)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("extracting", total=len(files))

        def step(f: Path, r) -> None:
            progress.update(task, advance=1, description=f"{escape(f.name[:40])}: {r.document.status}")

        ds = extract_into(files, out, on_progress=step, merge=not fresh)
    n_err = sum(1 for f in ds.findings if f.severity == "error")
    console.print(
        f"[green]{len(ds.documents)} documents[/], {len(ds.tables)} tables, {len(ds.cells)} cells, "
        f"{len(ds.facts)} narrative facts, {len(ds.findings)} findings ({n_err} errors) → {out}"
    )
    for d in ds.documents:
        if d.status != "ok":
            console.print(f"  [yellow]{escape(d.file_name)}[/]: {d.status}: {escape(d.error or '')}")


@app.command()
def check(
    data: Annotated[Path, typer.Option("--data", help="dataset folder")] = Path("data/clean"),
    tolerance: Annotated[str, typer.Option(
        "--tolerance", help="extra 万元 beyond printed-precision rounding still reported as a rounding warning")] = "0",
    pct_tolerance: Annotated[str, typer.Option(
        "--pct-tolerance", help="extra percentage points beyond printed-precision rounding, likewise")] = "0",
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Re-run every cross-check over an existing dataset (e.g. after last year's documents arrive)."""
    _logging(verbose)
    from decimal import Decimal, InvalidOperation

    from pipeline.checks import CheckConfig
    from pipeline.dataset import read_dataset
    from pipeline.run import check_dataset, save_dataset

    try:
        config = CheckConfig(amount_tolerance=Decimal(tolerance), pct_tolerance=Decimal(pct_tolerance))
    except InvalidOperation:
        console.print("[red]--tolerance and --pct-tolerance take decimal numbers, e.g. 0.05")
        raise typer.Exit(2) from None
    ds = check_dataset(read_dataset(data), config)
    save_dataset(ds, data)
    n_err = sum(1 for f in ds.findings if f.severity == "error")
    console.print(f"{len(ds.findings)} findings ({n_err} errors) over {len(ds.documents)} documents → {data}")


register_data_commands(app)  # query, report (pipeline/cli_data.py)
register_flow_commands(app)  # scrape, run (pipeline/cli_flows.py)
register_text_command(app)  # text (pipeline/cli_text.py)

if __name__ == "__main__":
    app()
