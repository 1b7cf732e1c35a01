"""Find the nine standard tables in a PDF and read every numeric cell.

The reader is fed one page at a time so that the whole document is parsed once, in one
pass, with each page closed as soon as it is done (flat memory on long documents). A page
costs one clustering of its characters into lines (the cheap title check); only pages that
carry a title, or follow a table page, have their ruling lines turned into a grid.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from pdfplumber.page import Page

from extractors.camelot_grid import ENGINE as CAMELOT_ENGINE
from extractors.camelot_grid import camelot_grids
from extractors.grid import Grid, Line, group_lines, ruled_grids, split_at_row
from extractors.headers import (
    ACTUAL,
    BUDGET,
    CODE_WORDS,
    ColumnRole,
    classify_column,
    is_header_text,
    is_index_row,
    match_parts,
    three_public_column,
)
from extractors.narrative import PRINTED_PAGE_NUMBER
from extractors.numbers import find_unit, looks_numeric, normalise_cell_code, normalise_code, parse_amount, to_wanyuan
from extractors.split_rows import RowTail, row_tail, split_rest
from extractors.text_grid import text_grid
from extractors.textforms import record_label
from extractors.three_public_rows import source_roles
from extractors.titles import TitleMatch, is_table_number, match_title, numbered_title
from schemas.keys import FAMILIES, TableKey, TableSpec, table_spec
from schemas.records import TableCell, TableRecord, source_fields

log = logging.getLogger("juesuan.tables")

SINGLE_ROW_LABEL: dict[str, str] = {TableKey.three_public_expenses: "三公经费"}  # looked up by a table's key (a str)
HEAD_PAGES, HEAD_LINES = 3, 6  # table pages and lines kept for metadata: a title, 部门：…, 单位：… and headers
TOTAL_ROW_LABEL = "合计"  # the row of a table printed without a label column (支出预算总表: 合计 基本支出 项目支出 …)
# 2010301 行政运行, [2010301]行政运行, 2010301-行政运行
_LEADING_CODE = re.compile(r"^[\[【]?(\d{3}(?:\s?\d{2}){0,2})[\]】]?\s*(?:[-－]\s*)?(?=[^\d\s.,\-－])")
_NO_DATA = re.compile(r"本表无数据|本表为空|空表|无数据|没有[^。；]{0,40}(?:收入|支出|经费|数据)|无[^。；]{0,30}(?:收入|支出|经费)")
_TOC = re.compile(r"^目\s*录$")
_PAGE_NUMBER = re.compile(r"^[-—–\s第]*\d{1,3}[-—–\s页]*$")

# ---- tuning (lengths in PDF points) -------------------------------------------------------------------------
# Chosen on the corpus with the first table reader (commit 351f3bf) unless said otherwise; see
# tests/test_tables_engines.py.
MIN_RULED_EDGES = 4  # a page with fewer ruling-line edges has no ruled grid to read (one rectangle has four)
# camelot's lattice is asked only with at least this many edges: two rectangles, a table's least (commit 1e86ef6,
# test_camelot_used_where_pdfplumber_finds_no_grid)
MIN_LATTICE_EDGES = 8
UNIT_LINES = 12  # a page's unit statement (单位：万元) is looked for in its first lines
TITLE_SLACK = 2  # a grid starting up to this far above its title's top line is the title's table
EDGE_SLACK = 1  # a text line up to this far into a grid's top or bottom edge is still outside / above it
# two layouts are one when every column centre moved less than this (a continuation page's grid; commit b274c4c)
SAME_COLUMN_X = 15
# a table of contents: 目录 in the page's first CONTENTS_LINES lines, or titles of this many tables on one page
CONTENTS_LINES = 5
CONTENTS_TITLES = 4
# a running head above a continued table: at most this many lines, none longer than RUNNING_HEAD_CHARS
# (commit 9cbd05e, camelot on a continuation page only when its rules start at the top)
RUNNING_HEAD_LINES = 3
RUNNING_HEAD_CHARS = 40
# a vertical rule separates columns when it runs through at least this share of the text block (commit aabda7d)
RULE_THROUGH = 0.5
MESSAGE_CHARS = 300  # a reader error's message is cut to this length in the table's note


@dataclass
class TableExtraction:
    tables: list[TableRecord] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    table_pages: set[int] = field(default_factory=set)  # 1-based pages that belong to the nine tables
    problems: list[str] = field(default_factory=list)  # human-readable, e.g. "income: grid not parsed on page 8"
    # the opening lines of the first table pages (title, 部门：…, 单位：…): metadata for a PDF of tables only
    page_heads: list[str] = field(default_factory=list)
    # (page, text) of table pages outside the grids read: titles, 编制单位 / 单位 lines, notes (placeholder checks)
    texts: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Layout:
    """Column roles of one printed header, with the x centres they were read at."""

    roles: list[ColumnRole]
    bounds: list[tuple[float, float]]  # x-range of each column where it was read

    @property
    def labelled(self) -> bool:
        """Whether rows have a label or code column at all."""
        return any(r.kind in ("code", "label") for r in self.roles)

    @property
    def centers(self) -> list[float]:
        return [(a + b) / 2 for a, b in self.bounds]

    def groups(self, by_side: bool = True) -> list[list[int]]:
        """Column groups that each hold a full row: a new group starts where a code/label column follows values
        (基本支出 side-by-side groups) or (``by_side``) the side changes (two-sided tables)."""
        groups: list[list[int]] = []
        current: list[int] = []
        has_value = False
        side = None
        for c, role in enumerate(self.roles):
            if role.kind in ("other", "index"):
                continue
            new_side = by_side and role.side is not None and side is not None and role.side != side
            if current and ((role.kind in ("code", "label") and has_value) or new_side):
                groups.append(current)
                current, has_value = [], False
            current.append(c)
            has_value = has_value or role.kind == "value"
            side = role.side or side
        if current:
            groups.append(current)
        return groups

    def remap(self, bounds: list[tuple[float, float]]) -> _Layout | None:
        """This layout applied to a grid with these columns (continuation pages without headers): each new column
        takes the role of the old column its centre falls in."""
        if len(bounds) == len(self.bounds) and all(
            abs(a - c) < SAME_COLUMN_X for a, c in zip(self.centers, [(x + y) / 2 for x, y in bounds], strict=True)
        ):
            return _Layout(self.roles, bounds)
        roles: list[ColumnRole] = []
        used: set[int] = set()
        for a, b in bounds:
            covered, label = self._spanned_label(a, b)
            if label is not None:  # a label cell merged across sides: every column it covers is used
                if used & set(covered):
                    return None
                used.update(covered)
                roles.append(self.roles[label])
                continue
            x = (a + b) / 2
            i = next((k for k, (lo, hi) in enumerate(self.bounds) if lo <= x <= hi), None)
            if i is None or i in used:
                return None
            used.add(i)
            roles.append(self.roles[i])
        return _Layout(roles, bounds)

    def _spanned_label(self, a: float, b: float) -> tuple[list[int], int | None]:
        """The columns whose centres ``a``..``b`` covers, and, when they hold the label columns of two or more
        column groups (a two-sided summary's last rows, where a continuation page rules 支出合计 across the
        功能分类 and 支出用途 label columns), the last of those labels: the one beside the value the cell labels."""
        covered = [k for k, x in enumerate(self.centers) if a <= x <= b]
        labels = [k for k in covered if self.roles[k].kind == "label"]
        group_of = {c: g for g, cols in enumerate(self.groups()) for c in cols}
        if len({group_of.get(k) for k in labels}) < 2:
            return covered, None
        return covered, labels[-1]


@dataclass(frozen=True)
class _Header:
    """A grid's header rows as read for one table, and the column layout they give."""

    rows: list[int]
    layout: _Layout | None  # None when the header rows hold no text

    @property
    def names_values(self) -> bool:
        return self.layout is not None and any(r.kind == "value" for r in self.layout.roles)


@dataclass
class _Table:
    key: str
    family: str
    title: str
    pages: list[int] = field(default_factory=list)
    unit: str | None = None
    layout: _Layout | None = None
    engines: list[str] = field(default_factory=list)
    cells: list[TableCell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty_note: bool = False
    read_any: bool = False  # a grid or text body was read (even if it held no values)
    tail: RowTail | None = None  # the last row read, which a continuation page's first row may finish

    def add_page(self, page_no: int) -> None:
        if page_no not in self.pages:
            self.pages.append(page_no)

    @property
    def spec(self) -> TableSpec:
        return table_spec(self.key, self.family)


# forced reading strategies (pipeline/second_reading.py): a table whose identities fail is read again with
# another one; None is the adaptive reading (pdfplumber's ruled grid, camelot or whitespace where it fails).
# Each strategy with the engine it records.
STRATEGIES = {"ruled": "pdfplumber-lines", "camelot": CAMELOT_ENGINE, "text": "pdfplumber-text"}


class TableReader:
    """Feed pages in order; ``feed`` says whether the page belonged to one of the nine tables."""

    def __init__(self, doc_id: str, strategy: str | None = None) -> None:
        self.doc_id = doc_id
        self.strategy = strategy
        self.result = TableExtraction()
        self._open: _Table | None = None
        self._done: list[_Table] = []
        # headers of this page's grids, read once for the usable / continuation tests and the reading itself
        self._headers: dict[tuple[Grid, TableSpec], _Header] = {}
        self._page_lines: list[Line] = []  # this page's text lines and the grids read on it
        self._page_grids: list[Grid] = []
        self._contents_page: int | None = None  # the last page read as a table of contents (its listing may run on)

    # ---- page loop -------------------------------------------------------------------------
    def feed(self, page_no: int, page: Page) -> bool:
        try:
            used = self._feed(page_no, page)
        except Exception as e:  # a layout nobody anticipated: record it, keep going
            log.exception("page %s: table reader failed", page_no)
            msg = f"page {page_no}: table reader error {type(e).__name__}: {e}"[:MESSAGE_CHARS]
            if self._open is not None:
                self._open.notes.append(msg)
                self._open.add_page(page_no)
                used = True
            else:
                self.result.problems.append(msg)
                used = False
        finally:
            self._headers.clear()
        if used:
            self.result.table_pages.add(page_no)
            outside = _outside_grids(self._page_lines, self._page_grids)
            if outside:
                self.result.texts.append((page_no, outside))
        self._page_lines, self._page_grids = [], []
        return used

    def _feed(self, page_no: int, page: Page) -> bool:
        chars = page.chars
        lines = self._page_lines = group_lines(chars)
        titles = [(ln, m) for ln in lines if (m := match_title(ln.text)) is not None]
        titles = sorted(titles + _wrapped_titles(lines, {id(ln) for ln, _ in titles}), key=lambda t: t[0].top)
        if titles and (_looks_like_contents(lines, titles, len(page.edges) >= MIN_RULED_EDGES)
                       or (self._contents_page is not None and self._contents_page == page_no - 1 and _lists_titles_only(lines))):
            titles = []
            self._contents_page = page_no
        if not titles and self._open is None:
            return False
        grids = _split_at_titles(self._grids(page, chars), [ln for ln, _ in titles], chars)
        page_unit = find_unit(" ".join(ln.text for ln in lines[:UNIT_LINES]))
        if not titles:
            if not grids and self.strategy is None and len(page.edges) >= MIN_LATTICE_EDGES and chars and _starts_with_rules(page, lines):
                grids = camelot_grids(page, chars)  # ruling lines pdfplumber could not join into a grid
            return self._continue(page_no, page, lines, grids)
        if len(self.result.page_heads) < HEAD_PAGES:
            self.result.page_heads.append("\n".join(ln.text for ln in lines[:HEAD_LINES]))
        self._finish_open(page_no, lines, [g for g in grids if g.bottom <= titles[0][0].top + TITLE_SLACK])
        camelot: list[Grid] | None = None
        for i, (line, match) in enumerate(titles):
            bottom = titles[i + 1][0].top if i + 1 < len(titles) else float(page.height) + 1
            table = self._start(match, page_no)
            region_lines = [ln for ln in lines if line.top <= ln.top < bottom]
            nxt = titles[i + 1][0] if i + 1 < len(titles) else None
            region_grids = [g for g in grids if (line.top - TITLE_SLACK <= g.top < bottom or g.top <= line.top <= g.bottom)
                            and not (nxt is not None and _starts_at_title(g, nxt, line))]
            usable = bool(region_grids) and all(self._usable(g, table) for g in region_grids)
            if (not usable and self.strategy is None and len(page.edges) >= MIN_LATTICE_EDGES
                    and (table.layout is not None or not _preamble_only(region_lines))):
                # pdfplumber's grid is missing or broken here: ask camelot's lattice for a second opinion
                camelot = camelot_grids(page, chars) if camelot is None else camelot
                alt = [g for g in camelot if line.top - TITLE_SLACK <= g.top < bottom]
                if alt and all(self._usable(g, table) for g in alt):
                    region_grids, usable = alt, True
            self._read_region(table, page, page_no, (line, region_lines), region_grids, usable,
                              page_unit if len(titles) == 1 else None)
        return True

    def _finish_open(self, page_no: int, lines: list[Line], before: list[Grid]) -> None:
        """Grids above the page's first title finish the table left open on the previous page."""
        if self._open is not None and before and self._is_continuation(lines, before[0], self._open):
            for g in before:
                self._read_grid(self._open, g, page_no)
            self._open.add_page(page_no)

    def _read_region(self, table: _Table, page: Page, page_no: int, region: tuple[Line, list[Line]],
                     grids: list[Grid], usable: bool, page_unit: str | None) -> None:
        """Read the table under one title: its unit, its empty note and its grids or whitespace-aligned rows.
        ``region``: the title line and the lines down to the next title."""
        line, region_lines = region
        head_text = " ".join(ln.text for ln in region_lines if not grids or ln.bottom <= grids[0].top + EDGE_SLACK)
        table.unit = table.unit or find_unit(head_text) or page_unit
        if _NO_DATA.search("".join(ln.text for ln in region_lines).replace(" ", "")):
            table.empty_note = True
        # no usable grid: rows aligned by whitespace (perhaps between a few vertical rules)
        body = [ln for ln in region_lines if ln is not line]
        if not usable and self._read_text(table, body, page_no, _vertical_rules(page, body)):
            return
        for g in grids:
            self._read_grid(table, g, page_no)

    def _grids(self, page: Page, chars: list[dict]) -> list[Grid]:
        """The page's ruled grids as the strategy reads them (none for a whitespace-only reading)."""
        if self.strategy == "text" or len(page.edges) < MIN_RULED_EDGES:
            return []
        if self.strategy == "camelot":
            return camelot_grids(page, chars) if len(page.edges) >= MIN_LATTICE_EDGES else []
        return ruled_grids(page, chars)

    def _continue(self, page_no: int, page: Page, lines: list[Line], grids: list[Grid]) -> bool:
        table = self._open
        assert table is not None
        if grids and self._is_continuation(lines, grids[0], table):
            if not self._usable(grids[0], table) and self._read_text(
                table, lines, page_no, _vertical_rules(page, lines), continuation=True
            ):
                table.add_page(page_no)
                return True
            for g in grids:
                if g is grids[0] or self._compatible(g, table):
                    self._read_grid(table, g, page_no)
            table.add_page(page_no)
            return True
        if not grids and table.engines and table.engines[-1] == "pdfplumber-text" and self._read_text(
            table, lines, page_no, continuation=True
        ):
            table.add_page(page_no)
            return True
        self._close()
        return False

    # ---- table lifecycle -------------------------------------------------------------------
    def _start(self, match: TitleMatch, page_no: int) -> _Table:
        same = self._open is not None and (self._open.key, self._open.family) == (match.key, match.family)
        if self._open is not None and same and (match.continued or page_no - 1 in self._open.pages):
            self._open.add_page(page_no)
            return self._open
        self._close()
        table = _Table(key=match.key, family=match.family, title=match.printed)
        table.add_page(page_no)
        self._open = table
        return table

    def _close(self) -> None:
        if self._open is not None:
            self._done.append(self._open)
            self._open = None

    def likeliest_family(self) -> str | None:
        """The family most of the titles found belong to (for a document whose type the text does not say)."""
        counts = Counter(t.family for t in [*self._done, *([self._open] if self._open else [])])
        return max(counts, key=lambda f: (counts[f], f == "final_accounts")) if counts else None

    def finish(self, family: str | None = None) -> TableExtraction:
        """The tables read, of ``family`` (the document's type; by default the likeliest one)."""
        self._close()
        family = family or self.likeliest_family()
        strays = [t for t in self._done if t.family != family]
        if strays:
            self.result.problems.append(
                "titles of another document family ignored: "
                + "; ".join(f"{t.title} (page {t.pages[0]})" for t in strays)
            )
        # a table printed twice (or a title listed before the real table): keep the copy that was read best
        best: dict[str, _Table] = {}
        for t in (t for t in self._done if t.family == family):
            kept = best.get(t.key)
            if kept is None or _quality(t) > _quality(kept):
                best[t.key] = t
        for t in self._done:
            if t.family == family and best[t.key] is not t:
                self.result.problems.append(f"{t.key}: printed again on page {t.pages[0]} ({t.title}); that copy ignored")
        for t in sorted(best.values(), key=lambda t: t.pages[0]):
            self.result.tables.append(self._record(t))
            self.result.cells.extend(t.cells)
        return self.result

    def _record(self, t: _Table) -> TableRecord:
        status = "ok"
        notes = list(t.notes)
        if not t.read_any and not t.empty_note:
            status = "unparsed"
            notes.append(f"title found on page {t.pages[0]} but no table grid or rows could be read")
        elif notes:
            status = "partial"
        if t.unit is None and t.cells:
            notes.append(f"no unit printed; {FAMILIES[t.family].unit} assumed")
        if status != "ok" or (t.unit is None and t.cells):
            self.result.problems.append(f"{t.key}: " + "; ".join(notes))
        engines = list(dict.fromkeys(t.engines))
        return TableRecord(
            doc_id=self.doc_id, table=t.key, title=t.title, pages=tuple(t.pages), has_data=_has_data(t.cells),
            n_cells=len(t.cells), engine="+".join(engines) or None, unit_printed=t.unit, status=status,
            note="; ".join(notes) or None,
        )

    # ---- continuation ----------------------------------------------------------------------
    def _is_continuation(self, lines: list[Line], grid: Grid, table: _Table) -> bool:
        """A grid continues the open table when nothing but a running head sits above it and its columns fit."""
        return _only_running_head_above(lines, grid.top) and self._compatible(grid, table)

    def _header(self, grid: Grid, spec: TableSpec) -> _Header:
        """The header rows detected from the cell texts (once per grid and table on this page)."""
        head = self._headers.get((grid, spec))
        if head is None:
            head = self._headers[(grid, spec)] = _read_header(grid, _header_rows(grid, spec), spec)
        return head

    def _compatible(self, grid: Grid, table: _Table) -> bool:
        if table.layout is None:
            return True
        if table.layout.remap(grid.col_bounds()) is not None:
            return True
        return self._header(grid, table.spec).names_values

    def _usable(self, grid: Grid, table: _Table) -> bool:
        """A grid whose header gives value columns (or that continues a known layout) and holds all its text."""
        head = self._header(grid, table.spec)
        if grid.orphans and not _orphans_in_preamble(grid, head.rows):
            return False
        if any(_stacked(grid, r) for r in range(len(head.rows), grid.n_rows)):
            return False
        if head.layout is not None:
            return head.names_values
        return table.layout is not None and table.layout.remap(grid.col_bounds()) is not None

    # ---- reading a grid --------------------------------------------------------------------
    def _read_grid(self, table: _Table, grid: Grid, page_no: int) -> None:
        table.engines.append(grid.engine)
        table.read_any = True
        self._page_grids.append(grid)
        if grid.header_rows is not None:  # known (text grids)
            head = _read_header(grid, list(range(grid.header_rows)), table.spec)
        else:
            head = self._header(grid, table.spec)
        header, layout = head.rows, head.layout
        if head.names_values:
            table.layout = layout
        elif table.layout is not None:
            layout = table.layout.remap(grid.col_bounds())
        else:
            layout = None
        # a 栏次 row (1, 2, 3 … under the header) is layout wherever it was read, never values
        data_rows = [r for r in range(grid.n_rows) if r not in header and not is_index_row(_row_texts(grid, r))]
        tail, table.tail = table.tail, None
        if table.unit is None:  # also from a grid of the title rows only (its header printed on the next page)
            table.unit = find_unit(" ".join(t for r in header for t in _row_texts(grid, r)))
        if layout is None:
            if any(_row_texts(grid, r) for r in data_rows):
                table.notes.append(f"page {page_no}: column headers not recognised")
            return
        if not header and tail is not None and data_rows and self._finish_split_row(
            table, tail, (grid, data_rows[0]), layout, page_no
        ):
            data_rows = data_rows[1:]
        unknown: set[int] = set()
        for r in data_rows:
            texts = [(c, _cell_text(grid, r, c)) for c in range(grid.n_cols)]
            start = len(table.cells)
            self._read_row(table, layout, texts, page_no, _merged_into(grid, r), _cell_confidences(grid, r))
            table.tail = row_tail(grid, r, layout.roles, page_no, range(start, len(table.cells)))
            unknown.update(
                c for c, t in texts if t and layout.roles[c].kind == "other" and parse_amount(t.replace("\n", "")) is not None
            )
        for c in sorted(unknown):  # never drop printed values silently
            heading = "/".join(grid.cells[i].text.replace("\n", "") for r in header if (i := grid.owner[r][c]) is not None)
            table.notes.append(f"page {page_no}: values under unrecognised column header {heading or '(none)'!r} not read")

    def _finish_split_row(self, table: _Table, tail: RowTail, row: tuple[Grid, int], layout: _Layout,
                          page_no: int) -> bool:
        """``row`` (a continuation page's first: grid and row index) is the rest of the row cut by the page break
        (extractors/split_rows.py): join its label and numbers into that row's cells. Rows of one column group
        only (a two-sided row holds several labels)."""
        rest = split_rest(tail, row[0], row[1], layout.roles, page_no) if len(layout.groups()) == 1 else None
        if rest is None:
            return False
        label, joined = rest
        unit = table.unit or FAMILIES[table.family].unit
        by_key = {layout.roles[c].key: text for c, text in joined.items()}
        old_label, new_label = record_label(tail.label), record_label(tail.label + label)
        for i in tail.cells:
            cell = table.cells[i]
            update: dict[str, object] = {"row": new_label} if cell.row == old_label else {}
            if cell.col in by_key:
                printed = by_key[cell.col]
                amount = parse_amount(printed)
                assert amount is not None  # split_rest joins only into well-formed amounts
                update |= {"value": to_wanyuan(amount, unit), "value_printed": printed}
            table.cells[i] = cell.model_copy(update=update)
        return True

    def _read_row(self, table: _Table, layout: _Layout, texts: list[tuple[int, str | None]], page_no: int,
                  merged: _Merged | None = None, confs: dict[int, float] | None = None) -> None:
        by_col = dict(texts)
        merged = merged or _Merged({}, {})
        unit = table.unit or FAMILIES[table.family].unit
        for group in layout.groups():
            parts = _row_parts(layout, group, by_col, merged)
            if table.spec.only_rows:
                # a list of items (purchase lines): the row's first text names it; only the listed rows count
                first = next((t for c, t in texts if t and layout.roles[c].kind != "value"), "")
                if record_label(first) not in table.spec.only_rows:
                    continue
                parts.labels, parts.path, parts.codes = [first], [first], []
            elif parts.values and not parts.labels and not parts.codes:
                # the row's label cell runs on from the previous column group (当年支出小计 over 功能分类 and 支出用途)
                left = [merged.left[c] for c in group if layout.roles[c].kind == "label" and c in merged.left]
                parts.labels, parts.path = left[:1], left[:1]
            code, label = self._row_subject(table, layout, parts, page_no)
            if not parts.values:
                continue
            side = next((layout.roles[c].side for c in group if layout.roles[c].side), None)
            self._add_values(table, parts.values, (side, code, label), unit, page_no, confs)

    def _row_subject(self, table: _Table, layout: _Layout, parts: _RowParts, page_no: int) -> tuple[str | None, str]:
        """The row's subject code and label, from its code and label cells (a code printed before the label too)."""
        if len(parts.path) >= 2:
            label = "/".join(p for p in (record_label(x) for x in parts.path) if p)
        else:
            label = record_label("".join(parts.labels))
        code = normalise_cell_code(parts.codes) if parts.codes else None
        if parts.codes and code is None:
            table.notes.append(f"page {page_no}: subject code {' '.join(parts.codes)!r} not understood")
        if code is None and not parts.codes:
            m = _LEADING_CODE.match(label)
            if m and normalise_code(m.group(1)):
                code, label = normalise_code(m.group(1)), record_label(label[m.end():])
        if not label and not code:
            # one row of values under the header and no label column: the table's own total row
            label = SINGLE_ROW_LABEL.get(table.key, "") or (TOTAL_ROW_LABEL if not layout.labelled else "")
        return code, label

    def _add_values(self, table: _Table, values: list[tuple[ColumnRole, str, int]],
                    subject: tuple[str | None, str | None, str], unit: str, page_no: int,
                    confs: dict[int, float] | None) -> None:
        """One cell per readable value of a row; ``subject``: the row's side, code and label."""
        side, code, label = subject
        row_label = label
        for role, text, c in values:
            col = role.key or ""
            if col.startswith((BUDGET, ACTUAL)):  # 三公 printed with its categories as rows
                transposed = three_public_column(label, col, table.family)
                if transposed is None:
                    if parse_amount(text.replace("\n", "")) is not None:
                        table.notes.append(f"page {page_no}: 三公 category {label!r} not recognised")
                    continue
                col, row_label = transposed, SINGLE_ROW_LABEL[table.key]
            printed = text.replace("\n", "")
            amount = parse_amount(printed)
            if amount is None:
                if looks_numeric(printed):
                    table.notes.append(f"page {page_no}: value {printed!r} not readable")
                continue
            if not label and not code:
                table.notes.append(f"page {page_no}: value {printed} in a row without label or code")
                continue
            table.cells.append(
                TableCell(
                    doc_id=self.doc_id, table=table.key, side=side, code=code, row=row_label, col=col,
                    value=to_wanyuan(amount, unit), unit_printed=unit, page=page_no, value_printed=text,
                    **source_fields((confs or {}).get(c)),
                )
            )

    # ---- tables without ruling lines --------------------------------------------------------
    def _read_text(
        self, table: _Table, lines: list[Line], page_no: int, rules: list[float] | None = None, continuation: bool = False
    ) -> bool:
        """Whitespace-aligned table (no ruling lines, or column rules only): header and columns from text positions."""
        grid = text_grid(lines, rules)
        if grid is None:
            return False
        if continuation and not self._compatible(grid, table):
            return False
        self._read_grid(table, grid, page_no)
        return True


# ---- helpers ---------------------------------------------------------------------------------

def _split_at_titles(grids: list[Grid], titles: list[Line], chars: list[dict]) -> list[Grid]:
    """Grids cut above each title printed as a full-width row inside them: a table and the next one drawn in
    one ruled frame (Jiangsu) are two grids, or the second is read under the first one's header."""
    out: list[Grid] = []
    for grid in grids:
        parts = [grid]
        for line in titles:
            last = parts[-1]
            middle = (line.top + line.bottom) / 2
            if not last.ys[0] < middle < last.ys[-1]:
                continue
            r = max(i for i, y in enumerate(last.ys[:-1]) if y <= middle)
            cell = last.cell_at(r, 0)
            if cell is None or cell.r0 != r or (cell.c0, cell.c1) != (0, last.n_cols):
                continue
            if not any(_row_texts(last, above) and not _is_preamble_row(_row_texts(last, above)) for above in range(r)):
                continue  # nothing but blank or preamble rows above the title: one table
            split = split_at_row(last, r, chars)
            if split is not None:
                parts[-1:] = list(split)
        out.extend(parts)
    return out


def _starts_at_title(grid: Grid, title: Line, above: Line) -> bool:
    """The grid starts below the ``above`` title and holds ``title`` (the next one) in its first rows: the next
    table's grid (cut from one ruled frame by ``_split_at_titles``), not a part of the table above."""
    return grid.top > above.bottom and grid.top <= title.top <= grid.bottom


def _orphans_in_preamble(grid: Grid, header: list[int]) -> bool:
    """Characters outside every cell that are only a table number or unit printed in the corner above the
    header (公开03表 left of a title row that does not span the frame): no column's text is lost."""
    return all(r in header and all(is_table_number(ln.text) or _is_preamble_row([ln.text]) for ln in group_lines(chars))
               for r, chars in grid.orphan_chars.items())


def _preamble_only(lines: list[Line]) -> bool:
    """A region holding nothing but its title and preamble lines (部门：… 单位：万元): its header and rows are
    printed on the next page, so no grid here (camelot's included) can name a value column."""
    return all(match_title(ln.text) or _is_preamble_row([ln.text]) for ln in lines)


def _outside_grids(lines: list[Line], grids: list[Grid]) -> str:
    """The page's lines that lie in no grid read (headings, units, notes), one per line."""
    def inside(ln: Line) -> bool:
        mid = (ln.top + ln.bottom) / 2
        return any(g.top - EDGE_SLACK <= mid <= g.bottom + EDGE_SLACK for g in grids)

    return "\n".join(ln.text for ln in lines if not inside(ln))


def _has_data(cells: list[TableCell]) -> bool:
    """A table whose printed values are all zero holds no data (its zero cells are still kept)."""
    return any(c.value != 0 for c in cells)


def _quality(t: _Table) -> tuple[int, int, int]:
    return (len(t.cells), int(t.read_any), int(t.empty_note))


# a title wrapped before its last characters ("…培训费支出预算" / "表"): the rest is a line of at most this many
# characters containing 表, directly below (Jiangsu 2017 人大 三公 table)
WRAPPED_TITLE_TAIL = 4


def _wrapped_titles(lines: list[Line], taken: set[int]) -> list[tuple[Line, TitleMatch]]:
    """Titles printed over two lines, the second holding only the title's end; keyed by the first line."""
    out = []
    for ln, nxt in zip(lines, lines[1:], strict=False):
        tail = nxt.text.strip()
        if id(ln) in taken or id(nxt) in taken or not (0 < len(tail) <= WRAPPED_TITLE_TAIL and "表" in tail):
            continue
        if nxt.top - ln.bottom > ln.bottom - ln.top:  # not the next printed line
            continue
        if (m := match_title(ln.text + tail)) is not None:
            out.append((ln, m))
    return out


def _lists_titles_only(lines: list[Line]) -> bool:
    """Not one amount (the printed page number is none) and no note of an empty table: the titles on a page
    that follows a contents page continue its listing."""
    text = "".join(ln.text for ln in lines).replace(" ", "")
    return not _NO_DATA.search(text) and not any(
        parse_amount(w) is not None for ln in lines if not PRINTED_PAGE_NUMBER.match(ln.text) for w in ln.text.split())


def _looks_like_contents(lines: list[Line], titles: list[tuple[Line, TitleMatch]], has_rules: bool) -> bool:
    """A table of contents lists the titles without tables: ignore its titles."""
    if any(_TOC.match(ln.text.strip()) for ln in lines[:CONTENTS_LINES]):
        return True
    if len({m.key for _, m in titles}) >= CONTENTS_TITLES:
        return True
    # a page of nothing but numbered titles (and its page number): a section's list of the tables that follow
    if len(titles) >= 2 and not has_rules and all(numbered_title(ln.text) or _PAGE_NUMBER.match(ln.text) for ln in lines):
        return True
    # several titles, no rules, no header words, no note and not one amount (the page's printed number is
    # none): a list of titles, not tables
    text = "".join(ln.text for ln in lines).replace(" ", "")
    return len(titles) >= 2 and not has_rules and not re.search(r"项目|科目|预算数|决算数", text) and _lists_titles_only(lines)


@dataclass
class _RowParts:
    """The cells of one row's column group by role: code parts, label parts, the label cells of distinct label
    columns (a group path: 收入 › 小计) and the value cells (role, text, column)."""

    codes: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    values: list[tuple[ColumnRole, str, int]] = field(default_factory=list)


def _row_parts(layout: _Layout, group: list[int], by_col: dict[int, str | None], merged: _Merged) -> _RowParts:
    parts = _RowParts()
    for c in group:
        role = layout.roles[c]
        if role.kind == "label" and c in merged.above and not by_col.get(c):
            parts.path.append(merged.above[c])  # a group label printed once over several rows
        text = by_col.get(c)
        if not text:
            continue
        if role.kind == "code":
            flat = text.replace("\n", " ").strip()
            if flat in CODE_WORDS:
                continue
            if normalise_code(flat) is not None or flat.isdigit():
                parts.codes.append(flat)
            else:
                parts.labels.append(flat)
        elif role.kind == "label":
            parts.labels.append(text)
            parts.path.append(text)
        elif role.kind == "value":
            parts.values.append((role, text, c))
    return parts


def _cell_text(grid: Grid, r: int, c: int) -> str | None:
    """Text of the cell that starts at (r, c); None for merged continuations and empty cells."""
    cell = grid.cell_at(r, c)
    if cell is None or cell.r0 != r or cell.c0 != c or not cell.lines:
        return None
    return cell.text


@dataclass(frozen=True)
class _Merged:
    """Texts of merged cells reaching into a row: ``above`` — columns covered by a cell that began
    on an earlier row (a group label), ``left`` — columns covered by a cell that began further left."""

    above: dict[int, str]
    left: dict[int, str]


def _merged_into(grid: Grid, r: int) -> _Merged:
    above: dict[int, str] = {}
    left: dict[int, str] = {}
    for c in range(grid.n_cols):
        cell = grid.cell_at(r, c)
        if cell is None or not cell.lines:
            continue
        if cell.r0 < r and cell.c0 == c:
            above[c] = cell.text
        elif cell.r0 == r and cell.c0 < c:
            left[c] = cell.text
    return _Merged(above, left)


def _cell_confidences(grid: Grid, r: int) -> dict[int, float]:
    """OCR confidence of the cells starting in row r, by column (empty for a text layer)."""
    return {c: cell.conf for c in range(grid.n_cols)
            if (cell := grid.cell_at(r, c)) is not None and cell.r0 == r and cell.c0 == c and cell.conf is not None}


def _row_texts(grid: Grid, r: int) -> list[str]:
    return [t for c in range(grid.n_cols) if (t := _cell_text(grid, r, c))]


def _starts_with_rules(page: Page, lines: list[Line]) -> bool:
    """Ruling lines at the top of the page with at most a running head above them (a table continues)."""
    return _only_running_head_above(lines, min(e["top"] for e in page.edges))


def _only_running_head_above(lines: list[Line], top: float) -> bool:
    """At most a running head (three short lines, no sentence) above ``top``: nothing that opens a new section
    (nor a table number on its own line: 表7 over a title the contract does not know)."""
    above = [ln for ln in lines if ln.bottom <= top + EDGE_SLACK]
    return len(above) <= RUNNING_HEAD_LINES and not any(
        len(ln.text) > RUNNING_HEAD_CHARS or "。" in ln.text or numbered_title(ln.text) or is_table_number(ln.text)
        for ln in above
    )


def _vertical_rules(page: Page, lines: list[Line]) -> list[float]:
    """x of the vertical ruling lines that run through most of the text block."""
    if not lines:
        return []
    top, bottom = min(ln.top for ln in lines), max(ln.bottom for ln in lines)
    need = RULE_THROUGH * (bottom - top)
    return [
        e["x0"] for e in page.edges
        if e["orientation"] == "v" and min(e["bottom"], bottom) - max(e["top"], top) >= need
    ]


def _stacked(grid: Grid, r: int) -> bool:
    """Several amounts stacked in one cell: rows without ruling lines between them."""
    return any(
        sum(parse_amount(ln) is not None for ln in cell.lines) >= 2
        for c in range(grid.n_cols) if (cell := grid.cell_at(r, c)) is not None
    )


def _has_text(grid: Grid, rows: list[int]) -> bool:
    return any(_row_texts(grid, r) for r in rows)


_PREAMBLE = re.compile(r"单位(?:名称)?[:：]|编制|部门(?:名称)?[:：]|^\s*(?:公开|附表|表)\s*\d+")


def _is_header_row(texts: list[str], spec: TableSpec) -> bool:
    if _is_preamble_row(texts):
        return True
    if is_index_row(texts):
        return True
    if spec.only_rows and _names_a_value_column(texts, spec):
        return True  # an item list's header: free wording (采购品目, 采购组织形式) beside its amount column
    for t in texts:
        flat = t.replace("\n", "")
        if parse_amount(flat) is not None or normalise_code(t.replace("\n", " ")) is not None:
            return False
        if not is_header_text(flat, spec.key, spec.family):
            return False
    return True


def _is_preamble_row(texts: list[str]) -> bool:
    """The title or 单位：万元 (部门： | its name) printed inside the grid's first rows: no column's heading."""
    flat = [t.replace("\n", "") for t in texts]
    return bool(flat) and all(_PREAMBLE.search(t) or match_title(t) or _fills_a_field(flat, i) for i, t in enumerate(flat))


def _fills_a_field(texts: list[str], i: int) -> bool:
    """The cell right after a preamble field name that ends in a colon (部门： | 江苏省人大常委会办公厅)."""
    return i > 0 and bool(_PREAMBLE.search(texts[i - 1])) and texts[i - 1].rstrip().endswith((":", "："))


def _names_a_value_column(texts: list[str], spec: TableSpec) -> bool:
    flat = [t.replace("\n", "") for t in texts]
    if any(parse_amount(t) is not None for t in flat):
        return False
    return any(classify_column([t], spec.key, spec.family).kind == "value" for t in flat)


def _header_rows(grid: Grid, spec: TableSpec) -> list[int]:
    rows: list[int] = []
    for r in range(grid.n_rows):
        if not _is_header_row(_row_texts(grid, r), spec):
            break
        rows.append(r)
    return rows


def _read_header(grid: Grid, rows: list[int], spec: TableSpec) -> _Header:
    return _Header(rows, _layout_from_header(grid, rows, spec) if rows and _has_text(grid, rows) else None)


def _layout_from_header(grid: Grid, header: list[int], spec: TableSpec) -> _Layout:
    roles: list[ColumnRole] = []
    paths: list[list[str]] = []
    named = [r for r in header if not is_index_row(texts := _row_texts(grid, r)) and not _is_preamble_row(texts)]
    for c in range(grid.n_cols):
        path: list[str] = []
        seen: set[int] = set()
        for r in named:
            i = grid.owner[r][c]
            if i is None or i in seen:
                continue
            seen.add(i)
            text = "".join(grid.cells[i].lines)
            if text:
                path.append(text)
        roles.append(classify_column(path, spec.key, spec.family))
        paths.append(path)
    for c in range(1, len(roles)):
        # a sub-label column under its neighbour's 项目名称 (the header cell spans only the first): a label too
        if roles[c].kind == "other" and roles[c - 1].kind == "label" and set(paths[c]) <= set(paths[c - 1]):
            roles[c] = ColumnRole("label", side=roles[c - 1].side)
    layout = _Layout(source_roles(roles, paths, spec), grid.col_bounds())
    return _fill_sides(_one_column_per_key(layout, paths, spec), spec)


def _one_column_per_key(layout: _Layout, paths: list[list[str]], spec: TableSpec) -> _Layout:
    """Two columns of one row group given the same key: the more specific header keeps it, the other
    takes its next-best key (合计 beside “三公”经费 › 小计 is the grand total with 会议费 and 培训费)."""
    roles = list(layout.roles)
    for group in layout.groups():
        by_key: dict[str, list[int]] = {}
        for c in group:
            role_key = roles[c].key
            if roles[c].kind == "value" and role_key and not role_key.startswith("@"):
                by_key.setdefault(role_key, []).append(c)
        for key, cols in by_key.items():
            if len(cols) < 2:
                continue
            strength = {c: match_parts(paths[c], spec.key, key, spec.family) for c in cols}
            strongest = max(strength.values())
            if sum(v == strongest for v in strength.values()) > 1:
                continue  # equally specific: nothing tells them apart
            for c in cols:
                if strength[c] < strongest:
                    other = classify_column(paths[c], spec.key, spec.family, exclude=frozenset({key}))
                    if other.kind == "value":
                        roles[c] = ColumnRole(other.kind, other.key, roles[c].side)
    return _Layout(roles, layout.bounds)


def _fill_sides(layout: _Layout, spec: TableSpec) -> _Layout:
    """Two-sided tables whose 收入/支出 header did not reach every column: sides by group order
    (a budget summary printed with two groups has the contract's first two sides)."""
    sides = spec.sides
    if not sides or all(r.side for r in layout.roles if r.kind != "other"):
        return layout
    groups = layout.groups()
    if not 2 <= len(groups) <= len(sides):  # one group says nothing of sides; more groups than sides: unknown
        # a short 收入/支出 word centred over its side may name only the columns right under it (unruled
        # print): the label columns still divide the sides, when no column's own side says otherwise
        groups = layout.groups(by_side=False)
        if not 2 <= len(groups) <= len(sides) or any(
            layout.roles[c].side not in (None, side) for group, side in zip(groups, sides, strict=False) for c in group
        ):
            return layout
    roles = list(layout.roles)
    for group, side in zip(groups, sides, strict=False):
        for c in group:
            if roles[c].side is None:
                roles[c] = ColumnRole(roles[c].kind, roles[c].key, side)
    return _Layout(roles, layout.bounds)
