"""The conclusion of a performance evaluation report printed as prose (绩效评价结果 without a form).

Some evaluation results are a report, not a 绩效自评表: sections on the project, its funds, its
outputs and problems, and a 评价结论 stating the score and grade ("综合评价得分85.1分，评价等级为
“良”"). Such a performance-only document has no form to read; what it states is kept so the
document says what it is instead of reporting a form that went unread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from extractors.performance_rows import layout
from extractors.text import PageText
from extractors.textforms import match_text


@dataclass(frozen=True)
class Conclusion:
    score: Decimal | None
    grade: str | None
    page: int | None

    def describe(self) -> str:
        said = [f"评价得分 {self.score}分" if self.score is not None else "", f"评价等级 {self.grade}" if self.grade else ""]
        where = f" (page {self.page})" if self.page is not None else ""
        return ", ".join(s for s in said if s) + where


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    spec = layout()["evaluation_conclusion"]
    return re.compile(spec["score"]), re.compile(spec["grade"])


def evaluation_conclusion(pages: list[PageText]) -> Conclusion | None:
    """The score and grade the report's conclusion states (the last statement wins: the conclusion closes
    the report), or None when the text states neither."""
    score_re, grade_re = _patterns()
    found: Conclusion | None = None
    for p in pages:
        text = match_text(p.text)  # lines joined: a statement broken over lines still matches
        scores, grades = list(score_re.finditer(text)), list(grade_re.finditer(text))
        if not scores and not grades:
            continue
        score = Decimal(scores[-1].group(1)) if scores else (found.score if found else None)
        grade = grades[-1].group(1) if grades else (found.grade if found else None)
        found = Conclusion(score, grade, p.page)
    return found


def narrative_report_note(doc_type: str, conclusion: Conclusion) -> str:
    """The document's status message for such a report."""
    return (f"its title names a performance document ({doc_type}): an evaluation report in prose, printing no "
            f"performance form or score table; its conclusion states {conclusion.describe()}; its figures are read as narrative")
