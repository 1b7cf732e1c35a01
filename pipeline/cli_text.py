"""``juesuan text PDF``: the rebuilt reading-order text of each page, for checking a figure by eye."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from extractors.text import PageText


class PageSpecError(ValueError):
    """A ``--pages`` value that names no page: said to the user, exit 2."""


def text(
    pdf: Annotated[Path, typer.Argument(help="a PDF (or a .txt narrative) to print")],
    pages: Annotated[str | None, typer.Option("--pages", "-p", help="pages to print, e.g. 21-24 or 3,5")] = None,
    facts: Annotated[bool, typer.Option("--facts", help="print the narrative figures read from it instead")] = False,
) -> None:
    """Print each page's text in reading order (numbers back in their sentences, page numbers dropped)."""
    from extractors.source import InputProblem, sniff_kind

    if not pdf.is_file():
        typer.echo(f"no such file: {pdf}", err=True)
        raise typer.Exit(2)
    try:
        wanted = page_set(pages)
        kind = sniff_kind(pdf)  # the same judgement (and words) as `juesuan extract`
    except PageSpecError as e:
        typer.echo(f"--pages {pages}: {e}", err=True)
        raise typer.Exit(2) from e
    except (InputProblem, OSError) as e:
        typer.echo(f"cannot read {pdf}: {e.message if isinstance(e, InputProblem) else e}", err=True)
        raise typer.Exit(1) from e
    texts, n_pages = _read_pages(pdf, kind, wanted, facts)
    if wanted is not None:
        _check_wanted(pdf, pages, wanted, n_pages)
    if facts:
        _print_facts(pdf, texts, wanted)
        return
    for t in texts:
        if wanted is None or t.page in wanted or t.page is None:
            typer.echo(f"── page {t.page if t.page is not None else '-'} ──")
            typer.echo(t.text)


def _read_pages(pdf: Path, kind: str, wanted: set[int] | None, facts: bool) -> tuple[list[PageText], int]:
    """The pages to print (all of them for ``--facts``: a figure's sentence may start a page
    earlier) and the document's page count; a PDF that cannot be read exits 1."""
    from extractors.narrative import pages_from_text
    from extractors.text import page_text

    if kind == "text":
        texts = pages_from_text(pdf.read_text(encoding="utf-8", errors="replace"))
        return texts, sum(1 for t in texts if t.page is not None)
    import pdfplumber

    from extractors.pages import iter_pages

    texts = []
    try:
        with pdfplumber.open(pdf) as doc:
            n_pages = len(doc.pages)
            if wanted is None or facts or wanted & set(range(1, n_pages + 1)):
                for no, page in iter_pages(doc):
                    if wanted is None or no in wanted or facts:
                        texts.append(page_text(page, no))
    except Exception as e:  # a broken file is reported, not a traceback
        typer.echo(f"cannot read {pdf}: {type(e).__name__}: {e}", err=True)
        raise typer.Exit(1) from e
    return texts, n_pages


def _check_wanted(pdf: Path, pages: str | None, wanted: set[int], n_pages: int) -> None:
    """``--pages`` naming pages the document does not have: said to the user, exit 2."""
    if n_pages == 0:
        typer.echo(f"--pages {pages}: {pdf.name} has no pages (a text file without form feeds); "
                   "leave out --pages", err=True)
        raise typer.Exit(2)
    outside = sorted(p for p in wanted if p > n_pages)
    if outside:
        typer.echo(f"--pages {pages}: {pdf.name} has {n_pages} page{'s' if n_pages != 1 else ''}; "
                   f"no page {_ranges(outside)}", err=True)
        raise typer.Exit(2)


def _print_facts(pdf: Path, texts: list[PageText], wanted: set[int] | None) -> None:
    """One tab-separated line per narrative figure on the wanted pages."""
    from extractors.narrative import extract_facts

    for f in extract_facts(texts, pdf.name):
        if wanted is None or f.page in wanted:
            where = f"p{f.page}" if f.page is not None else "-"
            typer.echo(f"{where}\t{f.section or ''}\t{f.metric}\t{f.subject or ''}\t{f.value}\t{f.unit}\t{f.text}")


def page_set(spec: str | None) -> set[int] | None:
    """``21-24`` / ``3,5`` / ``3,7-9`` → page numbers; anything else raises ``PageSpecError``."""
    if spec is None:
        return None
    out: set[int] = set()
    for part in spec.split(","):
        a, dash, b = (x.strip() for x in part.strip().partition("-"))
        if not a.isdigit() or (dash and not b.isdigit()):
            raise PageSpecError(f"“{part.strip()}” is not a page or a range of pages (e.g. 21-24 or 3,5)")
        first, last = int(a), int(b) if dash else int(a)
        if first < 1:
            raise PageSpecError("pages are numbered from 1")
        if last < first:
            raise PageSpecError(f"the range {first}-{last} runs backwards (did you mean {last}-{first}?)")
        out.update(range(first, last + 1))
    return out


def _ranges(pages: list[int]) -> str:
    return f"{pages[0]}" if len(pages) == 1 else f"{pages[0]}-{pages[-1]}" if pages == list(
        range(pages[0], pages[-1] + 1)) else ", ".join(map(str, pages))


def register(app: typer.Typer) -> None:
    app.command("text")(text)
