"""What a run tells its caller and leaves in Prefect: the summary (``juesuan run`` prints it, a
failed scrape makes the nightly flow run fail) and the markdown report artifact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pipeline
from pipeline import process as proc
from pipeline import scrape as scr
from pipeline.manifest import DOWNLOADED, FetchOutcome, FetchStatus

REPORT_ROWS = 200


@dataclass
class RunSummary:
    downloaded: int = 0
    fetch_statuses: dict[str, int] = field(default_factory=dict)
    extracted: int = 0
    doc_statuses: dict[str, int] = field(default_factory=dict)
    documents_in_dataset: int = 0
    new_error_findings: int = 0
    merged_changed: bool = False
    extract_seconds: float = 0.0
    merge_seconds: float = 0.0
    scrape_failure: str | None = None  # no source reached / every download failed: the run exits non-zero


def summary(s: scr.ScrapeReport | None, p: proc.ProcessReport) -> RunSummary:
    out = RunSummary()
    if s:
        out.downloaded = len(s.downloaded())
        out.fetch_statuses = s.counts()
        out.scrape_failure = s.failure()
    out.extracted = len(p.processed)
    for d in p.processed:
        out.doc_statuses[d.status] = out.doc_statuses.get(d.status, 0) + 1
    out.documents_in_dataset = p.n_wanted
    out.new_error_findings = len(p.new_error_findings())
    out.merged_changed = bool(p.merge and p.merge.changed)
    out.extract_seconds = round(p.extract_seconds, 3)
    out.merge_seconds = round(p.merge_seconds, 3)
    return out


def _cell(v: object) -> str:
    return str(v if v is not None else "").replace("|", "\\|").replace("\n", " ")[:160]


def report_markdown(s: scr.ScrapeReport | None, p: proc.ProcessReport) -> str:
    """The run's artifact: what came in, what happened to it, what does not add up."""
    lines = [f"# juesuan run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    if s and (failure := s.failure()):
        lines += [f"**FAILED: {failure}.**", ""]
    if s:
        lines += [f"Scrape: {s.n_pages} pages ({s.n_pages_not_modified} not modified), "
                  f"{len(s.downloaded())} documents downloaded.", "",
                  "| fetch status | count |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in s.counts().items()]
        problems: list[FetchOutcome] = [o for _, o in s.outcomes if o.status not in
                                        (*DOWNLOADED, FetchStatus.NOT_MODIFIED, FetchStatus.LOCAL)]
        if problems or s.page_errors:
            lines += ["", "## Not downloaded", "", "| url | status | message |", "|---|---|---|"]
            lines += [f"| {_cell(o.url)} | {o.status} | {_cell(o.message)} |" for o in problems[:REPORT_ROWS]]
            lines += [f"| {_cell(u)} | page_error | {_cell(m)} |" for u, m in list(s.page_errors.items())[:REPORT_ROWS]]
    lines += ["", f"Process: {p.n_wanted} documents in the dataset, {len(p.processed)} extracted in this run "
              f"(extractor {pipeline.EXTRACTOR_VERSION}).", ""]
    if p.processed:
        lines += ["## New or re-extracted documents", "",
                  "| doc_id | file | department | year | status | tables | cells | facts | error | url |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {d.doc_id} | {_cell(d.file_name)} | {_cell(d.department)} | {_cell(d.fiscal_year)} | "
                  f"{d.status} | {d.n_tables} | {d.n_cells} | {d.n_facts} | {_cell(d.error)} | {_cell(d.source_url)} |"
                  for d in p.processed[:REPORT_ROWS]]
    errors = p.new_error_findings()
    if errors:
        lines += ["", f"## Error findings in these documents ({len(errors)})", "",
                  "| doc_id | rule | message | page |", "|---|---|---|---|"]
        lines += [f"| {f.doc_id} | {f.rule} | {_cell(f.message)} | {_cell(f.page)} |" for f in errors[:REPORT_ROWS]]
    return "\n".join(lines) + "\n"
