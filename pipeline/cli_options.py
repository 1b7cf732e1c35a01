"""What every ``juesuan`` command shares: its options, the console, logging and the progress bar.

Option names mean one thing across commands (as in sqlite-utils' shared decorators):
``--data`` is always a *dataset folder* (``data/clean``: documents.csv, …); ``--root`` is the
*data root* of a scrape or run (downloads in ROOT/raw, the dataset in ROOT/clean). ``extract``
writes into a dataset folder too: ``--out`` and ``--data`` both name it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)  # messages and progress go to stderr; results (query, text) to stdout

DEFAULT_DATASET = Path("data/clean")
DEFAULT_ROOT = Path("data")

DatasetOpt = Annotated[Path, typer.Option("--data", help="dataset folder (documents.csv, table_cells.csv, …)")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", "--data", help="dataset folder to write into")]
RootOpt = Annotated[Path, typer.Option(
    "--root", "--data-root", help="data root: downloads go to ROOT/raw, the dataset to ROOT/clean")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="log each step")]


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False)], force=True)


def progress_bar(out: Console | None = None) -> Progress:
    """The one progress bar of the CLI: what is being done, a bar, done / total, time so far."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=out or console, transient=False)
