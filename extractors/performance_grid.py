"""Performance forms from ruled grids (PDF pages), one form per grid or one form per row.

Each grid becomes rows of cells with their x-extent; a cell merged down several rows (一级/二级
指标 for a group of indicators) is read once and carried down, and a merged region the ruling
leaves without a cell (its bottom rule on the next page) is read from the characters inside it.
Columns are told apart by their header text (layout YAML) and matched by position, so a form
continued on the next page without its header is read with the header of its first page.

Two layouts: a form per grid (项目名称 / 主管部门 / 资金 rows, 年度总体目标, an indicator table,
总分) as in the central final accounts; and a table of target forms with a row per project whose
indicators are numbered inside one cell (Guangzhou 项目支出绩效目标表).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from pdfplumber.page import Page

from extractors.grid import Grid, group_lines, ocr_confidence, ruled_grids
from extractors.perf_values import OPERATORS
from extractors.performance import FormDraft
from extractors.performance_rows import WEIGHT_END, RawRow, layout, split_labels, squeeze
from extractors.performance_text import score_rule, title_kind

CUE_WORDS = ("绩效指标",)  # a page worth reading for forms: these, or a form title's ending (layout titles)
ABOVE_LINES = 6  # title lines printed above a grid: a title, a year, 部门名称/单位 — at most 4 in the corpus


@dataclass
class GCell:
    x0: float
    x1: float
    text: str
    first: bool  # False on the rows below a cell's first (a merged cell carried down)
    conf: float | None = None  # lowest OCR confidence of its characters; None for a PDF's text layer

    @property
    def key(self) -> str:
        return squeeze(self.text)


@dataclass
class GRow:
    page: int
    cells: list[GCell]

    def texts(self) -> list[str]:
        return [c.key for c in self.cells]


def _orphan_text(grid: Grid, chars: list[dict], c: int, r0: int, r1: int) -> tuple[str, float | None]:
    x0, x1, top, bottom = grid.xs[c], grid.xs[c + 1], grid.ys[r0], grid.ys[r1]
    inside = [ch for ch in chars if x0 <= (ch["x0"] + ch["x1"]) / 2 <= x1 and top <= (ch["top"] + ch["bottom"]) / 2 <= bottom]
    return "\n".join(ln.text for ln in group_lines(inside)), ocr_confidence(inside)


def grid_rows(grid: Grid, chars: list[dict], page: int) -> list[GRow]:
    """Rows of cells (merged cells once per row they cover), regions without a cell read from their characters."""
    orphan: dict[tuple[int, int], GCell] = {}
    for c in range(grid.n_cols):
        r = 0
        while r < grid.n_rows:
            if grid.owner[r][c] is not None:
                r += 1
                continue
            end = r
            while end < grid.n_rows and grid.owner[end][c] is None:
                end += 1
            text, conf = _orphan_text(grid, chars, c, r, end)
            for k in range(r, end):
                orphan[(k, c)] = GCell(grid.xs[c], grid.xs[c + 1], text, k == r, conf)
            r = end
    rows: list[GRow] = []
    for r in range(grid.n_rows):
        cells: list[GCell] = []
        seen: set[int] = set()
        for c in range(grid.n_cols):
            i = grid.owner[r][c]
            if i is None:
                cells.append(orphan[(r, c)])
                continue
            if i in seen:
                continue
            seen.add(i)
            cell = grid.cells[i]
            cells.append(GCell(grid.xs[cell.c0], grid.xs[cell.c1], cell.text, cell.r0 == r, cell.conf))
        rows.append(GRow(page, cells))
    return rows


# the layout's header words squeezed once each (every cell of every form grid is ranked against all of them)
_squeezed_word = cache(squeeze)


def _role_rank(text: str, table: dict[str, list[str]]) -> tuple[str, int] | None:
    """(role, rank) of a header cell: an exact word before a prefix, a role's earlier word before its later."""
    key = squeeze(text)
    if not key:
        return None
    for role, words in table.items():
        for n, w in enumerate(words):
            if key == _squeezed_word(w):
                return role, n
    for role, words in table.items():
        for n, w in enumerate(words):
            if key.startswith(_squeezed_word(w)):
                return role, len(words) + n
    return None


def _role(text: str, table: dict[str, list[str]]) -> str | None:
    found = _role_rank(text, table)
    return found[0] if found else None


def _header(row: GRow, table: dict[str, list[str]], need: tuple[str, ...]) -> dict[str, tuple[float, float]] | None:
    """role → x-extent when ``row`` is a header naming every role in ``need``."""
    spans: dict[str, tuple[float, float]] = {}
    ranks: dict[str, int] = {}
    for c in row.cells:
        found = _role_rank(c.text, table)
        if found and (found[0] not in spans or found[1] < ranks[found[0]]):
            spans[found[0]], ranks[found[0]] = (c.x0, c.x1), found[1]
    return spans if all(n in spans for n in need) else None


def _at(row: GRow, span: tuple[float, float] | None) -> GCell | None:
    """The cell of ``row`` under a header span: the one covering its centre."""
    if span is None:
        return None
    mid = (span[0] + span[1]) / 2
    for c in row.cells:
        if c.x0 - 1 <= mid <= c.x1 + 1:
            return c
    return None


def _value(row: GRow, span: tuple[float, float] | None) -> str | None:
    c = _at(row, span)
    if c is None:
        return None
    v = c.key.replace(",", "").rstrip("%％")
    return v if re.fullmatch(r"-?\d+(?:\.\d+)?", v) else None


@dataclass
class _Open:
    draft: FormDraft
    ind: dict[str, tuple[float, float]] | None = None
    funds: dict[str, tuple[float, float]] | None = None
    overall: dict[str, tuple[float, float]] | None = None
    carry: dict[str, str] = field(default_factory=dict)
    closed: bool = False
    listed: dict[str, tuple[float, float]] | None = None  # project columns beside one indicator per row
    label_above: str | None = None  # a label alone in its row: its value is the next row


def _fields(row: GRow, draft: FormDraft) -> bool:
    """Label cells followed by their value cell (项目名称 X, 主管部门 X 实施单位 Y)."""
    labels = layout()["fields"]
    found = False
    for i, c in enumerate(row.cells[:-1]):
        key = c.key.rstrip("：:")
        column = labels.get(key)
        if column and c.first and column not in draft.fields:
            value = row.cells[i + 1].key
            value = re.sub(r"^\[\d+\]", "", value)  # "[292] 国家信访局": the department's code
            if value:
                draft.fields[column] = value
                found = True
    return found


def _funds_row(row: GRow, st: _Open) -> None:
    label = next((c.key.rstrip("：:") for c in row.cells if c.key and not re.match(r"^[\d.,%-]+$", c.key)
                  and _role(c.text, layout()["grid_funds_columns"]) is None and c.first), "")
    kinds = layout()["grid_funds_rows"]
    v = st.draft.values
    if any(label.startswith(w) for w in kinds["total"]) and v.get("funds_total") is None:
        for role, span in (st.funds or {}).items():
            v[role] = _value(row, span)
    elif any(label.startswith(w) for w in kinds["fiscal"]) and v.get("funds_fiscal") is None:
        v["funds_fiscal"] = _value(row, (st.funds or {}).get("funds_total"))
    elif not label and st.draft.kind == "target" and v.get("funds_total") is None:  # the amounts' row under a header
        v["funds_total"] = _value(row, (st.funds or {}).get("funds_total"))


def _indicator_row(row: GRow, st: _Open) -> None:
    spans = st.ind or {}
    get = {role: _at(row, span) for role, span in spans.items()}
    texts: dict[str, str] = {}
    for role, cell in get.items():
        text = cell.key if cell is not None else ""
        if role in ("level1", "level2"):
            if text:
                st.carry[role] = text
            text = st.carry.get(role, "")
        texts[role] = text
    name = texts.get("indicator", "")
    cell = get.get("indicator")
    if not name or (cell is not None and not cell.first):
        return
    if "level1" not in spans and "level2" not in spans:  # "产出指标数量指标出具数据分析报告" in one cell
        lab = split_labels(name)
        name, texts["level1"], texts["level2"] = lab.name or name, lab.level1 or "", lab.level2 or ""
    weight = texts.get("weight") or None
    m = WEIGHT_END.search(name)
    if m:
        name, weight = name[: m.start()], weight or m.group(1)
    cell_target, cell_actual = get.get("target"), get.get("actual")
    target = _joined(cell_target)
    if target and ("target_op" in spans or "target_unit" in spans):  # "≥" | "63" | "个" in three cells
        op = texts.get("target_op", "")
        op = op if op in OPERATORS else ""  # "定性" (qualitative) is no operator
        unit = texts.get("target_unit", "") if any(ch.isdigit() for ch in target) else ""  # "优" takes no unit
        target = f"{op}{target}{unit}"
    st.draft.rows.append(RawRow(
        level1=WEIGHT_END.sub("", texts.get("level1", "")) or None, level2=WEIGHT_END.sub("", texts.get("level2", "")) or None,
        name=name, weight=weight if weight and re.fullmatch(r"\d+(?:\.\d+)?", weight) else None,
        target=target, actual=_joined(cell_actual), score=texts.get("score", ""), page=row.page,
        group=texts.get("group") or None,
    ))
    reason = _joined(get.get("reason"))
    st.draft.rows[-1].deviation_reason = reason or None
    st.draft.rows[-1].conf = row_confidence([c for c in get.values() if c is not None])


def row_confidence(cells: list[GCell]) -> float | None:
    """The lowest OCR confidence of a row's cells: a value is as sure as its weakest glyph. None: text layer."""
    confs = [c.conf for c in cells if c.conf is not None]
    return min(confs) if confs else None


def _joined(cell: GCell | None) -> str:
    """A cell's lines joined: wrapped text without spaces, spaces kept inside a line ("155 万平方米")."""
    if cell is None:
        return ""
    return "".join(line.strip() for line in cell.text.split("\n"))


def _row_title(row: GRow) -> tuple[str, str, str] | None:
    """(kind, title, "") when the grid prints the form's title in a row of its own (Beijing)."""
    filled = [c for c in row.cells if c.key]
    if len(filled) != 1 or not filled[0].first:
        return None
    kind = title_kind(filled[0].key)
    return (kind, filled[0].key, "") if kind else None


def _label_values(row: GRow, st: _Open) -> bool:
    """Label cells with their value to the right (当年预算 46,794.00; 当年绩效目标 text), or alone in the row."""
    labels = layout()["grid_label_values"]
    keys = [c.key.rstrip("：:") for c in row.cells]
    if st.label_above is not None:
        column, st.label_above = st.label_above, None
        text = [c for c in row.cells if c.key]
        if len(text) == 1:
            _put(st.draft, column, text[0])
            return True
    found = False
    for i, c in enumerate(row.cells):
        column = labels.get(keys[i])
        if column is None or not c.first:
            continue
        value = next((row.cells[j] for j in range(i + 1, len(row.cells)) if row.cells[j].key), None)
        if value is None:
            if sum(1 for k in keys if k) == 1:
                st.label_above = column
                return True
            continue
        if labels.get(value.key.rstrip("：:")) is not None:  # a label spanning the rows beside another label
            continue
        _put(st.draft, column, value)
        found = True
    return found


def _put(draft: FormDraft, column: str, cell: GCell) -> None:
    if column in ("overall_target", "overall_result"):
        draft.texts.setdefault(column, _joined(cell) or None)
    else:
        v = cell.key.replace(",", "")
        if re.fullmatch(r"-?\d+(?:\.\d+)?", v):
            draft.values.setdefault(column, v)


def _listed_form(row: GRow, st: _Open, drafts: list[FormDraft]) -> _Open:
    """The form a row of a one-indicator-per-row table belongs to: a project's first row starts one."""
    spans = st.listed or {}
    cell = _at(row, spans.get("project"))
    project = cell.key if cell is not None else ""
    if cell is None or not cell.first or not project or project == st.draft.fields.get("project"):
        return st
    if st.draft.rows or st.draft.fields.get("project"):
        nxt = _Open(FormDraft(kind=st.draft.kind, title=st.draft.title, pages=[], source="pdf-grid"),
                    ind=st.ind, listed=st.listed)
        nxt.draft.fields = {k: v for k, v in st.draft.fields.items() if k == "department"}
        drafts.append(nxt.draft)
        st = nxt
    d = st.draft
    d.fields["project"] = project
    unit = _at(row, spans.get("implementing_unit"))
    if unit is not None and unit.key:
        d.fields["implementing_unit"] = unit.key
    d.values = {"funds_total": _value(row, spans.get("funds_total")), "funds_fiscal": _value(row, spans.get("funds_fiscal"))}
    d.texts = {"overall_target": _joined(_at(row, spans.get("overall_target"))) or None}
    return st


def read_form_grids(rows: list[GRow], titles: dict[int, tuple[str, str, str]]) -> list[FormDraft]:
    """Forms from grid rows in reading order; ``titles`` maps a row index to (kind, title, text above its grid)."""
    lay = layout()
    drafts: list[FormDraft] = []
    st: _Open | None = None
    for i, row in enumerate(rows):
        in_row = None if i in titles else _row_title(row)
        title = titles.get(i) or in_row
        if title:
            kind, name, above = title
            st = _Open(FormDraft(kind=kind, title=name, pages=[], source="pdf-grid"))
            st.draft.fields.update(_above_fields(above))
            drafts.append(st.draft)
            if in_row:
                continue
        if st is not None and not st.closed:
            st = _form_row(row, st, lay, drafts)
    return drafts


def _form_row(row: GRow, st: _Open, lay: dict, drafts: list[FormDraft]) -> _Open:
    """One row of an open form: a header, a labelled field, its total (which closes it) or a body row.
    Returns the form the rows after it belong to (a listing starts one per project)."""
    if st.listed is not None:
        ind_cell = _at(row, (st.ind or {}).get("indicator"))
        if ind_cell is None or not ind_cell.first:  # a header's second row (其中: 财政资金 | 其他资金)
            for role, span in (_header(row, lay["grid_summary_columns"], ()) or {}).items():
                st.listed.setdefault(role, span)
            return st
        st = _listed_form(row, st, drafts)
    keys = row.texts()
    if row.page not in st.draft.pages and any(keys):
        st.draft.pages.append(row.page)
    if keys and keys[0] in [squeeze(w) for w in lay["total_labels"]]:
        st.draft.values["total_score"] = _value(row, (st.ind or {}).get("score"))
        st.closed = True
        return st
    if _indicator_header(row, st, lay) or _fields(row, st.draft) or _label_values(row, st) or _block_header(row, st, lay):
        return st
    if st.ind is not None:
        _indicator_row(row, st)
    elif st.overall is not None and st.draft.texts.get("overall_target") is None:
        st.draft.texts["overall_target"] = _joined(_at(row, st.overall["target"])) or None
        st.draft.texts["overall_result"] = _joined(_at(row, st.overall["result"])) or None
    elif st.funds is not None:
        _funds_row(row, st)
    return st


def _indicator_header(row: GRow, st: _Open, lay: dict) -> bool:
    """The header of the indicator block (and of project columns beside it, one indicator per row)."""
    head = _header(row, lay["grid_indicator_columns"], ("indicator",))
    if head is None or ("target" not in head and "score" not in head):
        return False
    st.ind = head
    st.carry = {}
    listed = _header(row, lay["grid_summary_columns"], ("project",))
    st.listed = listed if listed is not None and listed["project"] != head["indicator"] else None
    return True


def _block_header(row: GRow, st: _Open, lay: dict) -> bool:
    """The header of the funds block or of the overall target block (both above the indicators)."""
    if st.ind is not None:
        return False
    need = ("funds_total",) if st.draft.kind == "target" else ("funds_total", "executed")  # a target form executes nothing yet
    head = _header(row, lay["grid_funds_columns"], need)
    if head is not None:
        st.funds = head
        return True
    head = _header(row, lay["grid_overall_columns"], ("target", "result"))
    if head is not None:
        st.overall = head
        return True
    return False


def _above_fields(text: str) -> dict[str, str]:
    out = {}
    for label, column in layout()["fields"].items():
        m = re.search(re.escape(label) + r"[：:]\s*(\S+)", text)
        if m and column not in out:
            out[column] = m.group(1)
    return out


def summary_forms(rows: list[GRow], department: str | None) -> list[FormDraft]:
    """Target forms from a table with one project per row and its indicators numbered in one cell."""
    lay = layout()
    spans: dict[str, tuple[float, float]] | None = None
    drafts: list[FormDraft] = []
    unit: str | None = None
    for row in rows:
        head = _header(row, lay["grid_summary_columns"], ("project",))
        if head is not None and ("indicators" in head or _targets_only(row, head)):
            spans = head
            continue
        if spans is None:
            continue
        project = squeeze(_joined(_at(row, spans["project"])))
        goal = _joined(_at(row, spans.get("overall_target")))
        if "indicators" not in spans:
            _target_row(row, spans, project, goal, department, drafts)
            continue
        text = _joined(_at(row, spans["indicators"]))
        if not text and not goal:  # 合计, or a unit's subtotal: the projects below are that unit's
            unit = project if project and project not in [squeeze(w) for w in lay["total_labels"]] else None
            continue
        cell = _at(row, spans["project"])
        parsed = indicator_text_rows(text, row.page) if text else []
        if not parsed:
            continue  # a layout of one indicator per row is not this one: nothing is guessed from it
        if (not project or (cell is not None and not cell.first)) and drafts:  # a project's row continued
            drafts[-1].rows += parsed
            continue
        d = FormDraft(kind="target", title=project, pages=[row.page], source="pdf-grid")
        d.fields = {"project": project, **({"department": department} if department else {}),
                    **({"implementing_unit": unit} if unit else {})}
        d.values = {"funds_total": _value(row, spans.get("funds_total")), "funds_fiscal": _value(row, spans.get("funds_fiscal"))}
        d.texts = {"overall_target": _joined(_at(row, spans.get("overall_target"))) or None}
        d.rows = parsed
        drafts.append(d)
    return drafts


def _targets_only(row: GRow, head: dict[str, tuple[float, float]]) -> bool:
    """A header of projects with their amount and target, without indicator columns (Hangzhou 项目支出绩效表)."""
    return ("overall_target" in head and ("funds_total" in head or "funds_fiscal" in head)
            and _header(row, layout()["grid_indicator_columns"], ("indicator",)) is None)


def _target_row(row: GRow, spans: dict[str, tuple[float, float]], project: str, goal: str,
                department: str | None, drafts: list[FormDraft]) -> None:
    """A project's row of a targets-only table; a row with only target text continues the row above (over a page)."""
    if not project:
        if goal and drafts and _value(row, spans.get("funds_total")) is None:
            d = drafts[-1]
            d.texts["overall_target"] = (d.texts.get("overall_target") or "") + goal
            if row.page not in d.pages:
                d.pages.append(row.page)
        return
    if not goal:  # 合计, or a heading row
        return
    unit = squeeze(_joined(_at(row, spans.get("implementing_unit"))))
    d = FormDraft(kind="target", title=project, pages=[row.page], source="pdf-grid")
    d.fields = {"project": project, **({"department": department} if department else {}),
                **({"implementing_unit": unit} if unit else {})}
    d.values = {"funds_total": _value(row, spans.get("funds_total")), "funds_fiscal": _value(row, spans.get("funds_fiscal"))}
    d.texts = {"overall_target": goal}
    drafts.append(d)


def indicator_text_rows(text: str, page: int) -> list[RawRow]:
    """"1、1-产出指标；11-数量指标；name；实施周期指标值:X；年度指标值:Y。2、…" → rows (target = 年度指标值)."""
    s = re.sub(r"\s+", "", text)
    out = []
    for m in re.finditer(layout()["indicator_text"], s):
        out.append(RawRow(level1=m.group("level1") or None, level2=m.group("level2") or None,
                          name=m.group("indicator").strip(".．"), weight=None, target=m.group("target"), actual="",
                          score="", page=page))
    return out


@cache
def _cues() -> tuple[str, ...]:
    return CUE_WORDS + tuple(w for words in layout()["titles"].values() for w in words)


@dataclass
class PerformanceReader:
    """Collects the grids of pages that may hold forms while the document is read; ``drafts`` at the end."""

    pages: list[tuple[int, list[GRow], list[tuple[int, str]]]] = field(default_factory=list)
    rules: dict[int, str | None] = field(default_factory=dict)  # page → scoring rule printed below its grids
    _open: bool = False

    def offer(self, page_no: int, page: Page, texts: Iterable[str]) -> None:
        """Read the page's grids when it names a form, or continues one from the page before."""
        joined = "".join(texts)
        if not any(w in joined for w in _cues()) and not self._open:
            return
        chars = page.chars
        grids = ruled_grids(page, chars)
        if not grids:
            self._open = False
            return
        rows: list[GRow] = []
        starts: list[tuple[int, str]] = []
        top = 0.0
        for g in grids:
            above = [ch for ch in chars if top <= ch["top"] and ch["bottom"] <= g.top + 1]
            lines = [ln.text for ln in group_lines(above)][-ABOVE_LINES:]
            starts.append((len(rows), "\n".join(lines)))
            rows += grid_rows(g, chars, page_no)
            top = g.bottom
        below = "".join(ln.text for ln in group_lines([ch for ch in chars if ch["top"] >= top - 1]))
        self.pages.append((page_no, rows, starts))
        self.rules[page_no] = score_rule(below)
        self._open = True

    def drafts(self) -> list[FormDraft]:
        rows: list[GRow] = []
        titles: dict[int, tuple[str, str, str]] = {}
        department = None
        for _, page_rows, starts in self.pages:
            for start, above in starts:
                for line in above.split("\n"):
                    kind = title_kind(line)
                    if kind:
                        titles[len(rows) + start] = (kind, squeeze(line), above)
                        break
                dept = re.search(r"部门名称[：:]\s*(\S+)", above)
                department = department or (dept.group(1) if dept else None)
            rows += page_rows
        summary = summary_forms(rows, department)
        if summary:
            return summary
        drafts = [d for d in read_form_grids(rows, titles) if d.rows or d.values.get("funds_total")]
        for d in drafts:
            d.score_rule = next((self.rules[p] for p in d.pages if self.rules.get(p)), None)
        return drafts
