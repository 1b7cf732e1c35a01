"""``juesuan text PDF``: the rebuilt reading-order text of each page, for checking a figure by eye."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def text(
    pdf: Annotated[Path, typer.Argument(help="a PDF (or a .txt narrative) to print")],
    pages: Annotated[str | None, typer.Option("--pages", "-p", help="pages to print, e.g. 21-24 or 3,5")] = None,
    facts: Annotated[bool, typer.Option("--facts", help="print the narrative figures read from it instead")] = False,
) -> None:
    """Print each page's text in reading order (numbers back in their sentences, page numbers dropped)."""
    from extractors.narrative import extract_facts, pages_from_text
    from extractors.text import PageText, page_text

    wanted = _page_set(pages)
    if pdf.suffix.lower() == ".txt":
        texts = pages_from_text(pdf.read_text(encoding="utf-8", errors="replace"))
    else:
        import pdfplumber

        from extractors.pages import iter_pages

        texts: list[PageText] = []
        try:
            with pdfplumber.open(pdf) as doc:
                for no, page in iter_pages(doc):
                    if wanted is None or no in wanted or facts:
                        texts.append(page_text(page, no))
        except Exception as e:  # a broken file is reported, not a traceback
            typer.echo(f"cannot read {pdf}: {type(e).__name__}: {e}", err=True)
            raise typer.Exit(1) from e
    if facts:
        for f in extract_facts(texts, pdf.name):
            if wanted is None or f.page in wanted:
                typer.echo(f"p{f.page or '-'}\t{f.section or ''}\t{f.metric}\t{f.subject or ''}\t{f.value}\t{f.unit}\t{f.text}")
        return
    for t in texts:
        if wanted is None or t.page in wanted or t.page is None:
            typer.echo(f"── page {t.page if t.page is not None else '-'} ──")
            typer.echo(t.text)


def _page_set(spec: str | None) -> set[int] | None:
    if not spec:
        return None
    out: set[int] = set()
    for part in spec.split(","):
        a, _, b = part.strip().partition("-")
        if a.isdigit():
            out.update(range(int(a), int(b) + 1) if b.isdigit() else {int(a)})
    return out


def register(app: typer.Typer) -> None:
    app.command("text")(text)
