"""The ``juesuan`` command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipeline import cli_data, cli_flows, cli_survey, cli_text
from pipeline.cli_options import DEFAULT_DATASET, DatasetOpt, OutOpt, VerboseOpt, console, progress_bar, setup_logging
from pipeline.wording import plural

app = typer.Typer(help="juesuan: Chinese departmental final-account and budget PDFs → one clean, cross-checked dataset.",
                  no_args_is_help=True, add_completion=False)


def extract(
    paths: Annotated[list[Path], typer.Argument(help="PDF, .txt, .html or spreadsheet files, or folders of them")],
    out: OutOpt = DEFAULT_DATASET,
    fresh: Annotated[bool, typer.Option(help="start an empty dataset instead of merging into OUT")] = False,
    workers: Annotated[int, typer.Option(min=1, help="extract N documents at a time, each in a worker process")] = 1,
    force: Annotated[bool, typer.Option(
        help="extract every file again, even one OUT/_parts already holds by this extractor version")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Extract tables and narrative figures from PATHS, check them, and write the dataset to OUT.

    Each document's records are kept in OUT/_parts: a file extracted before (same bytes, same
    name, same extractor version) is not extracted again."""
    setup_logging(verbose)
    from pipeline.assemble import find_sources
    from pipeline.process import Processed, process_files

    missing = [p for p in paths if not p.exists()]
    if missing:  # a typo is a usage error: nothing is extracted, nothing written
        console.print(f"[red]no such file or folder: {escape(', '.join(map(str, missing)))}")
        raise typer.Exit(2)
    if not find_sources(paths):
        console.print(f"[red]no PDF or .txt files found in {', '.join(map(str, paths))}")
        raise typer.Exit(2)
    with progress_bar() as progress:
        task = progress.add_task("extracting", total=None)

        def step(s: Processed, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"{escape(s.file_name[:40])}: {s.status}")

        report = process_files(paths, out, workers=workers, fresh=fresh, force=force, on_recorded=step)
        progress.update(task, total=len(report.processed), completed=len(report.processed))
    if skipped := report.n_wanted - len(report.processed):
        console.print(f"{plural(skipped, 'file')} unchanged since extracted into {escape(str(out))}: not extracted again "
                      "(--force does)")
    ds = report.dataset(out)
    n_err = sum(1 for f in ds.findings if f.severity == "error")
    console.print(
        f"[green]{plural(len(ds.documents), 'document')}[/], {plural(len(ds.tables), 'table')}, "
        f"{plural(len(ds.cells), 'cell')}, {plural(len(ds.facts), 'narrative fact')}, "
        f"{plural(len(ds.findings), 'finding')} ({plural(n_err, 'error')}) → {escape(str(out))}"
    )
    for d in ds.documents:
        if d.status != "ok":
            console.print(f"  [yellow]{escape(d.file_name)}[/]: {d.status}: {escape(d.error or '')}")


def check(
    data: DatasetOpt = DEFAULT_DATASET,
    tolerance: Annotated[str, typer.Option(
        "--tolerance", help="extra 万元 beyond printed-precision rounding still reported as a rounding warning")] = "0",
    pct_tolerance: Annotated[str, typer.Option(
        "--pct-tolerance", help="extra percentage points beyond printed-precision rounding, likewise")] = "0",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the counts, not the error findings")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Re-run every cross-check over an existing dataset (e.g. after last year's documents arrive)."""
    setup_logging(verbose)
    from decimal import Decimal, InvalidOperation

    from pipeline.assemble import check_dataset, save_dataset
    from pipeline.checks import CheckConfig
    from pipeline.cli_data import require_dataset
    from pipeline.dataset import read_dataset

    try:
        config = CheckConfig(amount_tolerance=Decimal(tolerance), pct_tolerance=Decimal(pct_tolerance))
    except InvalidOperation:
        console.print("[red]--tolerance and --pct-tolerance take decimal numbers, e.g. 0.05")
        raise typer.Exit(2) from None
    require_dataset(data, console)
    ds = check_dataset(read_dataset(data), config)
    save_dataset(ds, data)
    if not quiet:
        print_errors(ds, Console())
    n_err = sum(1 for f in ds.findings if f.severity == "error")
    console.print(f"{plural(len(ds.findings), 'finding')} ({plural(n_err, 'error')}) over "
                  f"{plural(len(ds.documents), 'document')} → {escape(str(data))}")


def print_errors(ds, out: Console) -> None:
    """The error findings, grouped by document: rule, pages and message (what the report shows first)."""
    docs = {d.doc_id: d for d in ds.documents}
    errors = sorted((f for f in ds.findings if f.severity == "error"), key=lambda f: (f.doc_id, f.rule, f.page or ""))
    current = None
    for f in errors:
        if f.doc_id != current:
            current = f.doc_id
            d = docs.get(f.doc_id)
            title = f"{d.file_name} ({d.department or '?'} {d.fiscal_year or ''})".replace(" )", ")") if d else f.doc_id
            out.print(f"[bold]{escape(title)}[/]")
        where = f" p{f.page}" if f.page else ""
        out.print(f"  [red]{escape(f.rule)}[/]{escape(where)}: {escape(f.message)}", soft_wrap=True)


def register(target: typer.Typer) -> None:
    target.command()(extract)
    target.command()(check)


# one registration style: each command module registers its commands, in the order of `juesuan --help`
register(app)  # extract, check
cli_data.register(app)  # query, report
cli_flows.register(app)  # scrape, sources, run
cli_text.register(app)  # text
cli_survey.register(app)  # survey

if __name__ == "__main__":
    app()
