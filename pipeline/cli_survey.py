"""``juesuan survey DIR``: extract and check a folder, then say how well each family and city reads."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer


def survey(
    folder: Annotated[list[Path], typer.Argument(help="folders (or files) of disclosures to survey")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="dataset folder to keep (default: a temporary one)")] = None,
    slowest: Annotated[int, typer.Option(help="how many of the slowest documents to list")] = 5,
) -> None:
    """Run the pipeline over FOLDER and print, per template family and per city, the share of documents
    fully read, the identity pass rate, doubtful tables and the slowest documents."""
    from pipeline.assemble import find_sources
    from pipeline.process import Processed, process_files
    from pipeline.survey import survey_lines

    files = find_sources(folder)
    if not files:
        typer.echo(f"no PDF or .txt files found in {', '.join(map(str, folder))}", err=True)
        raise typer.Exit(2)
    seconds: dict[str, float] = {}
    clock = [time.perf_counter()]

    def step(s: Processed, done: int, total: int) -> None:
        now = time.perf_counter()
        seconds[s.doc_id] = now - clock[0]
        clock[0] = now
        typer.echo(f"  {seconds[s.doc_id]:6.1f} s  {s.status:9s} {s.file_name}", err=True)

    with tempfile.TemporaryDirectory(prefix="juesuan-survey-") as tmp:
        # every file extracted again, one at a time: the survey times each document
        report = process_files(files, out or Path(tmp), fresh=True, force=True, on_recorded=step)
        ds = report.dataset(out or Path(tmp))
    wanted = {d.doc_id for d in ds.documents if d.doc_id in seconds}
    for line in survey_lines([d for d in ds.documents if d.doc_id in wanted], seconds, slowest):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command()(survey)
