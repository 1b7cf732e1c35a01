"""Spreadsheet attachments (XLSX through openpyxl, XLS through xlrd) → the same table contract
as a PDF's tables.

A sheet is one printed table: its title is found by the project's title matcher
(``extractors.titles.match_title``) on the rows above the header, or on the sheet's name; its
header and rows are read by the PDF table reader's own header classification and row reading
(``extractors.tables``), applied to a grid whose cells are the sheet's cells (merged ranges
kept as spans). Provenance: ``page`` is the sheet's number in the workbook (1-based), and
every cell carries ``sheet`` (its name) and ``cell`` (its A1 reference).

Amounts are exact: a number cell is read as the decimal its file holds (Python's shortest
round-trip text of the stored double, cut to Excel's own 15 significant digits so that the
noise of a computed sum, 0.30000000000000004, reads 0.3) and padded to the decimals its number
format prints (``0.00`` → 1.10); a text cell is read like a PDF cell. Never a float in between.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from extractors.grid import Cell, Grid
from extractors.headers import ColumnRole
from extractors.numbers import find_unit
from extractors.tables import TableReader, _cell_text, _header_rows, _merged_into, _read_header, _row_texts
from extractors.titles import TitleMatch, match_title
from schemas.keys import table_spec
from schemas.records import TableCell, TableRecord

# Excel stores doubles but computes and shows at most 15 significant digits (Microsoft's
# "Excel specifications and limits": number precision 15 digits)
EXCEL_PRECISION = 15
# rows above the header searched for the title and the unit line (公开01表 / title / 单位：万元)
TITLE_ROWS = 6
_DECIMALS = re.compile(r"0\.(0+)")


@dataclass(frozen=True)
class SheetCell:
    text: str
    number_format: str | None = None


@dataclass
class Sheet:
    """A sheet as text: ``rows[r][c]`` (None for empty), merged ranges as (r0, r1, c0, c1) exclusive ends."""

    name: str
    rows: list[list[str | None]]
    merged: list[tuple[int, int, int, int]]


@dataclass
class SheetTables:
    tables: list[TableRecord]
    cells: list[TableCell]
    problems: list[str]
    head_text: str  # the title rows of every sheet, for the document's metadata


def number_text(value: float | int | Decimal, number_format: str | None = None) -> str:
    """The exact decimal text of a stored number (see module doc)."""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        d = value
    else:
        d = Decimal(repr(value))  # the shortest text that reads back as the same double
        digits = len(d.as_tuple().digits)
        if digits > EXCEL_PRECISION:
            d = round(d, EXCEL_PRECISION - d.adjusted() - 1).normalize()
    m = _DECIMALS.search(number_format or "")
    if m and -d.as_tuple().exponent < len(m.group(1)):  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(-len(m.group(1))))
    text = format(d, "f")
    return "0" if text in ("-0",) else text


def _cell_text_of(value: object, number_format: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return number_text(value, number_format)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def read_xlsx(path: Path) -> list[Sheet]:
    """Every worksheet's stored values (not formulas: the cached results) and merged ranges."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    try:
        sheets: list[Sheet] = []
        for ws in wb.worksheets:
            rows = [[_cell_text_of(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
            merged = [(r.min_row - 1, r.max_row, r.min_col - 1, r.max_col) for r in ws.merged_cells.ranges]
            sheets.append(Sheet(ws.title, rows, merged))
        return sheets
    finally:
        wb.close()


def read_xls(path: Path) -> list[Sheet]:
    """Every sheet of an Excel 97-2003 workbook, with number formats and merged ranges."""
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True)
    sheets: list[Sheet] = []
    for sh in book.sheets():
        rows: list[list[str | None]] = []
        for r in range(sh.nrows):
            row: list[str | None] = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_NUMBER:
                    # xf_index is set: the book was opened with formatting_info; a number cell's value is a float
                    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key) if cell.xf_index is not None else None
                    row.append(number_text(float(cell.value), fmt.format_str if fmt else None))
                else:
                    row.append(_cell_text_of(cell.value, None))
            rows.append(row)
        sheets.append(Sheet(sh.name, rows, [tuple(m) for m in sh.merged_cells]))  # type: ignore[misc]
    return sheets


def column_letter(c: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def grid_of(sheet: Sheet, first_row: int) -> tuple[Grid, dict[int, int]]:
    """The sheet from ``first_row`` down as a table grid (merged ranges as spanning cells), and
    the grid row → sheet row map."""
    rows = sheet.rows[first_row:]
    n_rows = len(rows)
    n_cols = max((len(r) for r in rows), default=0)
    owner: list[list[int | None]] = [[None] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r0, r1, c0, c1 in sheet.merged:
        r0, r1 = max(r0, first_row) - first_row, r1 - first_row
        if r1 <= 0 or r0 >= n_rows:
            continue
        text = sheet.rows[r0 + first_row][c0] if c0 < len(sheet.rows[r0 + first_row]) else None
        cells.append(Cell(r0, r1, c0, c1, (c0, r0, c1, r1), [text] if text else []))
        for r in range(r0, min(r1, n_rows)):
            for c in range(c0, min(c1, n_cols)):
                owner[r][c] = len(cells) - 1
    for r, row in enumerate(rows):
        for c in range(n_cols):
            if owner[r][c] is None:
                text = row[c] if c < len(row) else None
                cells.append(Cell(r, r + 1, c, c + 1, (c, r, c + 1, r + 1), [text] if text else []))
                owner[r][c] = len(cells) - 1
    grid = Grid((0, 0, n_cols, n_rows), list(range(n_cols + 1)), list(range(n_rows + 1)), cells, owner, "spreadsheet")
    return grid, {r: r + first_row for r in range(n_rows)}


def _title(sheet: Sheet) -> tuple[TitleMatch, int] | None:
    """The table title in the first rows (the row it is on), else the sheet's name (row -1)."""
    for r, row in enumerate(sheet.rows[:TITLE_ROWS]):
        for text in row:
            if text and (m := match_title(text)) is not None:
                return m, r
    m = match_title(sheet.name)
    return (m, -1) if m else None


def read_tables(sheets: list[Sheet], doc_id: str) -> SheetTables:
    """Every sheet whose title is one of the known tables, read into table records and cells."""
    out = SheetTables([], [], [], "")
    heads: list[str] = []
    for no, sheet in enumerate(sheets, start=1):
        top = [t for row in sheet.rows[:TITLE_ROWS] for t in row if t]
        heads.append(" ".join(top))
        found = _title(sheet)
        if found is None:
            if any(any(row) for row in sheet.rows):
                out.problems.append(f"sheet {sheet.name!r}: no table title recognised")
            continue
        match, title_row = found
        table, cells, problems = _read_sheet(sheet, no, match, title_row, doc_id)
        out.tables.append(table)
        out.cells.extend(cells)
        out.problems.extend(problems)
    out.head_text = "\n".join(heads)
    return out


def _read_sheet(sheet: Sheet, no: int, match: TitleMatch, title_row: int,
                doc_id: str) -> tuple[TableRecord, list[TableCell], list[str]]:
    """One sheet through the PDF table reader's header classification and row reading."""
    grid, sheet_row = grid_of(sheet, title_row + 1)
    spec = table_spec(match.key, match.family)
    header = _header_rows(grid, spec)
    # the unit line (单位：万元) is printed between the title and the header, or in the header
    above = [t for row in sheet.rows[max(title_row, 0):title_row + 1 + len(header)] for t in row if t]
    unit = find_unit(" ".join(above))
    reader = TableReader(doc_id)
    table = reader._start(match, no)
    table.engines.append(grid.engine)
    table.read_any = True
    table.unit = unit
    head = _read_header(grid, header, spec)
    refs: list[tuple[str, str]] = []
    if not head.names_values or head.layout is None:
        if any(_row_texts(grid, r) for r in range(len(header), grid.n_rows)):
            table.notes.append(f"sheet {sheet.name!r}: column headers not recognised")
    else:
        for r in range(grid.n_rows):
            if r in head.rows:
                continue
            texts = [(c, _cell_text(grid, r, c)) for c in range(grid.n_cols)]
            before = len(table.cells)
            reader._read_row(table, head.layout, texts, no, _merged_into(grid, r))
            for cell in table.cells[before:]:
                refs.append(_where(cell, texts, head.layout.roles, sheet_row[r]))
    result = reader.finish(match.family)
    cells = [c.model_copy(update={"sheet": sheet.name, "cell": ref}) for c, (_, ref) in zip(result.cells, refs,
                                                                                          strict=True)]
    return result.tables[0], cells, result.problems


def _where(cell: TableCell, texts: list[tuple[int, str | None]], roles: list[ColumnRole],
           row: int) -> tuple[str, str]:
    """The sheet cell (A1) a table cell was read from: in its row, the value column of its key
    holding its text (a transposed 三公 cell: the 预算数/决算数 column holding it)."""
    candidates = [c for c, text in texts if text == cell.value_printed and roles[c].kind == "value"]
    exact = [c for c in candidates if roles[c].key == cell.col]
    c = next(iter(exact or candidates), None)
    return cell.col, f"{column_letter(c)}{row + 1}" if c is not None else f"row {row + 1}"
