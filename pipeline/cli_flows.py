"""``juesuan scrape`` (plain, no Prefect) and ``juesuan run`` (the Prefect flows in flows.py).

Prefect is imported only inside ``run``, through ``flows.start``: the other commands stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli_options import VerboseOpt, console, progress_bar, setup_logging
from pipeline.wording import plural

# exit codes (docs/scraping.md): 0 done, 1 unexpected error, 2 usage (bad options, sources file, data folder
# locked by another run), 3 the scrape failed as a whole (no source reached, or every download failed)
EXIT_USAGE = 2
EXIT_SCRAPE_FAILED = 3

# --root names the data root (ROOT/raw, ROOT/clean); --data, its old name here, still works
DataOpt = Annotated[Path, typer.Option("--root", "--data", help="data root: downloads go to ROOT/raw, the dataset to ROOT/clean")]
SourcesOpt = Annotated[Path | None, typer.Option("--sources", help="sources file (default: pipeline/sources.yaml)")]
OnlyOpt = Annotated[list[str] | None, typer.Option("--only", help="only the source(s) with this name")]
ListingOpt = Annotated[str | None, typer.Option("--listing", help="ad-hoc: crawl this listing URL instead of the sources file")]
PatternOpt = Annotated[str | None, typer.Option("--pattern", help="ad-hoc: regex on link text or URL of the links to follow")]
DelayOpt = Annotated[float | None, typer.Option(help="seconds between requests to one host (overrides the source)")]


def scrape(
    data: DataOpt = Path("data"),
    sources: SourcesOpt = None,
    only: OnlyOpt = None,
    listing: ListingOpt = None,
    pattern: PatternOpt = None,
    delay: DelayOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print what would be crawled, without a request")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Download new and changed disclosure PDFs from the portals into ROOT/raw (no extraction)."""
    setup_logging(verbose)
    from pipeline import scrape as scr

    try:
        srcs = scr.select_sources(sources, only, listing, pattern, delay)
    except (OSError, ValueError) as e:
        console.print(f"[red]sources: {e}")
        raise typer.Exit(2) from e
    if dry_run:
        for s in srcs:
            for line in scr.plan(s):
                typer.echo(line)
        typer.echo(f"{len(srcs)} sources, {sum(s.verified for s in srcs)} verified; nothing was requested")
        return
    from rich.markup import escape

    from pipeline.lock import RunLocked, run_lock

    raw = data / "raw"
    try:
        with run_lock(raw), progress_bar() as bars:
            pages = bars.add_task("pages", total=None)
            docs = bars.add_task("documents", total=0, visible=False)

            def found(source: str, n: int) -> None:
                bars.update(docs, total=(bars.tasks[docs].total or 0) + n, visible=True)

            progress = scr.ScrapeProgress(
                page=lambda url: bars.update(pages, advance=1, description=f"pages: {escape(url[-60:])}"),
                found=found,
                stored=lambda o: bars.update(docs, advance=1, description=f"documents: {o.status}"))
            report = scr.scrape(srcs, raw, progress=progress)  # its own manifest run, started and finished
            bars.update(pages, description="pages", total=bars.tasks[pages].completed)
            bars.update(docs, description="documents")
    except RunLocked as e:  # a flow or another scrape is using this data folder
        console.print(f"[red]{e}")
        raise typer.Exit(2) from e
    console.print(f"{plural(report.n_pages, 'page')} ({report.n_pages_not_modified} not modified since the last run), "
                  f"{plural(len(report.downloaded()), 'document')} downloaded → {raw}")
    for status, n in report.counts().items():
        console.print(f"  {status}: {n}")
    for u, msg in report.page_errors.items():
        console.print(f"  [yellow]page not read[/] {u}: {msg}")
    if failure := report.failure():
        console.print(f"[red]scrape failed: {failure}")
        raise typer.Exit(EXIT_SCRAPE_FAILED)


def sources(
    data: DataOpt = Path("data"),
    sources: SourcesOpt = None,
    only: OnlyOpt = None,
) -> None:
    """List the configured portals with their state: verified, last run, documents found, last error."""
    from pipeline import scrape as scr
    from pipeline.manifest import MANIFEST_NAME, Manifest

    try:
        srcs = scr.select_sources(sources, only)
    except (OSError, ValueError) as e:
        console.print(f"[red]sources: {e}")
        raise typer.Exit(2) from e
    raw = data / "raw"
    states: dict[str, dict] = {}
    if (raw / MANIFEST_NAME).exists():  # never create a manifest just to say there is none
        with Manifest(raw) as m:
            states = m.source_states()
    width = max((len(s.name) for s in srcs), default=4)
    typer.echo(f"{'name':<{width}}  verified  {'last run':<19}  documents  last error")
    for s in srcs:
        st = states.get(s.name, {})
        last = (st.get("last_run") or "never")[:19].replace("T", " ")
        typer.echo(f"{s.name:<{width}}  {'yes' if s.verified else 'no':<8}  {last:<19}  {st.get('documents', 0):>9}  "
                   f"{st.get('last_error') or '-'}")
    n_ok = sum(1 for s in srcs if states.get(s.name, {}).get("documents"))
    typer.echo(f"{len(srcs)} sources: {sum(s.verified for s in srcs)} verified, {n_ok} with documents in {raw}")


def run(
    data: DataOpt = Path("data"),
    sources: SourcesOpt = None,
    only: OnlyOpt = None,
    listing: ListingOpt = None,
    pattern: PatternOpt = None,
    delay: DelayOpt = None,
    workers: Annotated[int, typer.Option(help="extract in N worker processes (Prefect ProcessPoolTaskRunner)")] = 1,
    dask_address: Annotated[str | None, typer.Option(help="run extraction on this Dask scheduler (HOST:PORT)")] = None,
    no_scrape: Annotated[bool, typer.Option("--no-scrape", help="only process what is already in ROOT/raw")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="serve the flow on the --cron schedule (blocks)")] = False,
    cron: Annotated[str, typer.Option(help="cron schedule for --serve")] = "30 2 * * *",
    verbose: VerboseOpt = False,
) -> None:
    """Scrape + process once as Prefect flows (or --serve nightly); ends with a report artifact."""
    setup_logging(verbose)
    import flows  # the one place pipeline/ reaches the flows: Prefect is imported only for this command
    from pipeline.lock import RunLocked

    params = dict(data=str(data), sources=str(sources) if sources else None, only=only, listing=listing,
                  pattern=pattern, delay=delay, scrape=not no_scrape)
    try:
        result = flows.start(cron if serve else None, workers=workers, dask_address=dask_address, **params)
    except RunLocked as e:  # a nightly run still going, or a scrape by hand
        console.print(f"[red]{e}")
        raise typer.Exit(2) from e
    if result is None:  # served until stopped
        return
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(result.doc_statuses.items()))
    console.print(
        f"downloaded {result.downloaded}, extracted {result.extracted}{f' ({statuses})' if statuses else ''}; "
        f"{plural(result.documents_in_dataset, 'document')} in {data / 'clean'}, "
        f"{plural(result.new_error_findings, 'error finding')} in new documents"
    )
    if result.scrape_failure:
        console.print(f"[red]scrape failed: {result.scrape_failure}")
        raise typer.Exit(EXIT_SCRAPE_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(scrape)
    app.command()(sources)
    app.command()(run)


def run_main() -> None:
    """``python flows.py [options]`` = ``juesuan run [options]``."""
    typer.run(run)
