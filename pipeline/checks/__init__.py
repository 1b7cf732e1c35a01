"""Cross-checks over the whole dataset: which published figures do not add up, and by how much.

``run_checks`` applies every registered rule (see ``RULES``) to each document; across-year rules
see the whole dataset to find a department's previous-year document. Findings computed at
extraction time from the raw page text (``TEXT_RULES``) are carried over, since a stored
dataset no longer holds that text.
"""

from __future__ import annotations

import logging

# importing registers the rules, in the order their findings are listed: keep it
# isort: off
from pipeline.checks import rules_budget_final  # noqa: F401
from pipeline.checks import rules_tables  # noqa: F401
from pipeline.checks import rules_cross  # noqa: F401
from pipeline.checks import rules_narrative_tables  # noqa: F401
from pipeline.checks import rules_narrative  # noqa: F401
from pipeline.checks import rules_budget_narrative  # noqa: F401
from pipeline.checks import rules_performance, rules_structure, rules_years  # noqa: F401
# isort: on
from pipeline.checks.config import DEFAULT_CONFIG, CheckConfig
from pipeline.checks.context import DocContext
from pipeline.checks.registry import RULES, Rule
from pipeline.checks.text import TEXT_RULES, table_text_findings, text_findings
from pipeline.checks.text_lists import list_findings
from pipeline.dataset import Dataset
from schemas.records import DocStatus, Finding

log = logging.getLogger("juesuan.checks")

__all__ = ["RULES", "TEXT_RULES", "CheckConfig", "Rule", "list_findings", "run_checks", "table_text_findings",
           "text_findings"]


def run_checks(ds: Dataset, config: CheckConfig | None = None) -> list[Finding]:
    """Every rule over every document; a rule that breaks on odd input is logged, never fatal."""
    config = config or DEFAULT_CONFIG
    kept = [f for f in ds.findings if f.rule in TEXT_RULES]
    corpus = DocContext.build_all(ds, (d for d in ds.documents if d.status != DocStatus.FAILED), config)
    fresh: list[Finding] = []
    for ctx in corpus:
        for r in RULES.values():
            try:
                found = r.check(ctx, corpus) if r.scope == "dataset" else r.check(ctx)
                fresh.extend(found)
            except Exception:  # a rule bug must not lose the other findings or stop the run
                log.exception("check %s failed on %s", r.id, ctx.doc.file_name)
    return _dedupe(kept + fresh)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (document, rule family, page, message): the text hook and the clause checks overlap.

    A text finding also stands for a later one of its rule family comparing the same two figures
    on the same pages (the numbered list's sum found in the text, the same parts read from the facts)."""
    seen: set[tuple] = set()
    compared: set[tuple] = set()
    out = []
    for f in findings:
        family = f.rule.removesuffix(".text")
        key = (f.doc_id, family, f.page, f.message)
        same = (f.doc_id, family, f.page, f.expected, f.actual) if f.expected is not None and f.actual is not None else None
        if key in seen or (same is not None and same in compared and not f.rule.endswith(".text")):
            continue
        seen.add(key)
        if same is not None and f.rule.endswith(".text"):
            compared.add(same)
        out.append(f)
    return out
