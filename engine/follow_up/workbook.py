"""The plan of action as an Excel workbook, and back: a follow-up file's every field, without loss.

Sheets: Recommendations (one row each, filters on, the status a list to choose from; the
Committee's columns locked), Measures (one row per measure), one sheet per lead institution that
follows the Recommendations sheet by formulas (locked: edits go on the Recommendations sheet), and
About (Party, round, the assessment the list was drawn from).

Reading is bounded and strict: the package is read within bounds, every cell inside one guard
(``xlsx_package``); a formula where a value belongs is refused, and the sheets are checked with the
same reader, and so the same messages, as a follow-up file - each naming the sheet and the cell.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfcheck.engine.answers import rounds
from selfcheck.engine.common.errors import InputError, Place
from selfcheck.engine.common.safe_files import Document
from selfcheck.engine.follow_up.follow_up_file import FollowUp, check_follow_up_document, fill, words
from selfcheck.engine.follow_up.xlsx_package import MAX_ROWS, Row, check_size, read_sheets
from selfcheck.engine.rules import rulebooks
from selfcheck.engine.rules.rulebook import Rulebook


def columns(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The Recommendations sheet's columns: the rulebook's kinds of citation in the middle."""
    return ("id", "chapter", "level", "block", "text", *kinds, "status", "reason", "lead", "deadline", "note")


EDITABLE = ("status", "reason", "lead", "deadline", "note")
MEASURE_COLUMNS = ("id", "what", "act", "adopted", "in_force", "reference")
LEAD_COLUMNS = ("id", "chapter", "level", "text", "status", "lead", "deadline", "note")
DATE_FORMAT = "yyyy-mm-dd"
WIDTHS = {
    "id": 8,
    "chapter": 8,
    "level": 9,
    "block": 9,
    "text": 60,
    "status": 20,
    "reason": 30,
    "lead": 28,
    "deadline": 12,
    "note": 40,
    "what": 50,
    "act": 30,
    "adopted": 12,
    "in_force": 12,
    "reference": 30,
}
SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\']")
TEXTS = ("text", "reason", "lead", "note", "what", "act", "reference")


# -- writing -----------------------------------------------------------------------------------------


def render_workbook(follow_up: FollowUp, rulebook: Rulebook) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    said = words()["workbook"]
    labels = words()["statuses"]
    book = Workbook()
    book.properties.creator, book.properties.language = "selfcheck", words()["report"]["language"]
    sheet = book.active
    sheet.title = said["recommendations"]
    kinds = rulebook.vocabulary.kinds
    recommendation_columns = columns(kinds)
    _header(sheet, [said["columns"].get(name, name) for name in recommendation_columns], Font)
    unlocked = Protection(locked=False)
    for row, item in enumerate(follow_up.recommendations, start=2):
        values = _row(item, kinds)
        for column, name in enumerate(recommendation_columns, start=1):
            cell = _put(sheet, row, column, values[name])
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if name in EDITABLE:
                cell.protection = unlocked
    last = len(follow_up.recommendations) + 1
    status_column = _letter(recommendation_columns.index("status") + 1)
    choose = DataValidation(type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=False, showErrorMessage=True)
    choose.error = ", ".join(labels.values())
    choose.add(f"{status_column}2:{status_column}{max(last, 2)}")
    sheet.add_data_validation(choose)
    deadline_column = _letter(recommendation_columns.index("deadline") + 1)
    _dates(sheet, f"{deadline_column}2:{deadline_column}{max(last, 2)}", DataValidation)
    sheet.auto_filter.ref = f"A1:{_letter(len(recommendation_columns))}{max(last, 1)}"
    _locked_but_filterable(sheet)
    _layout(sheet, recommendation_columns)

    measures = book.create_sheet(said["measures"])
    _header(measures, [said["measure_columns"][name] for name in MEASURE_COLUMNS], Font)
    row = 1
    for item in follow_up.recommendations:
        for measure in item.measures:
            row += 1
            values = {"id": item.id, **measure.model_dump()}
            for column, name in enumerate(MEASURE_COLUMNS, start=1):
                _put(measures, row, column, values[name]).alignment = Alignment(wrap_text=True, vertical="top")
    ids = DataValidation(type="list", formula1=f"'{said['recommendations']}'!$A$2:$A${max(last, 2)}", allow_blank=True)
    ids.add(f"A2:A{MAX_ROWS}")
    measures.add_data_validation(ids)
    for name in ("adopted", "in_force"):
        letter = _letter(MEASURE_COLUMNS.index(name) + 1)
        _dates(measures, f"{letter}2:{letter}{MAX_ROWS}", DataValidation)
    measures.auto_filter.ref = f"A1:{_letter(len(MEASURE_COLUMNS))}{max(row, 1)}"
    _layout(measures, MEASURE_COLUMNS)

    taken = {said["recommendations"].casefold(), said["measures"].casefold(), said["about"].casefold()}
    for lead in sorted({item.lead for item in follow_up.recommendations if item.lead}, key=str.casefold):
        view = book.create_sheet(_sheet_name(lead, taken))
        _put(view, 1, 1, fill(said["lead_sheet_title"], lead=lead)).font = Font(bold=True)
        _header(view, [said["columns"][name] for name in LEAD_COLUMNS], Font, row=2)
        rows = [row for row, item in enumerate(follow_up.recommendations, start=2) if item.lead == lead]
        for view_row, source_row in enumerate(rows, start=3):
            for column, name in enumerate(LEAD_COLUMNS, start=1):
                cell = view.cell(view_row, column, _follows(said["recommendations"], _letter(recommendation_columns.index(name) + 1), source_row))
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if name == "deadline":
                    cell.number_format = DATE_FORMAT
        view.auto_filter.ref = f"A2:{_letter(len(LEAD_COLUMNS))}{len(rows) + 2}"
        _locked_but_filterable(view)
        _layout(view, LEAD_COLUMNS, header_row=2)

    about = book.create_sheet(said["about"])
    _put(about, 1, 1, fill(said["about_note"], party=follow_up.party, committee=words()["report"]["committee"])).font = Font(bold=True)
    drawn = follow_up.drawn_from
    about_rows = [("party", follow_up.party), ("round", follow_up.round), ("answers_as_of", drawn.answers_as_of), ("rulebook_sha256", drawn.rulebook_sha256)]
    about_rows += [("amendment", bill) for bill in drawn.amendments]
    for row, (key, value) in enumerate(about_rows, start=3):
        _put(about, row, 1, key)
        _put(about, row, 2, said["about_rows"][key]).font = Font(bold=True)
        _put(about, row, 3, value)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width, about.column_dimensions["C"].width = 18, 20, 70
    notice = fill(words()["report"]["running_header"], party=follow_up.party, committee=words()["report"]["committee"])
    book.properties.title = notice
    for each in book.worksheets:  # on every printed page, as the Word report's running header
        each.oddHeader.center.text = notice.replace("&", "&&")
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _row(item, kinds: tuple[str, ...]) -> dict[str, Any]:
    values = item.model_dump(include={"id", "chapter", "level", "block", "text", "reason", "lead", "deadline", "note"})
    values["status"] = words()["statuses"][item.status]
    for name in kinds:
        values[name] = "\n".join(map(str, item.citations.of(name)))
    return values


def _put(sheet, row: int, column: int, value: Any):
    """A value in a cell as a value: a text is stored as text even if it starts with '=' (never a formula)."""
    cell = sheet.cell(row, column)
    cell.value = value if value != "" else None
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    return cell


def _follows(sheet: str, column: str, row: int) -> str:
    source = f"'{sheet}'!{column}{row}"
    return f'=IF({source}="","",{source})'


def _header(sheet, headers: list[str], Font, row: int = 1) -> None:
    for column, header in enumerate(headers, start=1):
        _put(sheet, row, column, header).font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row + 1, 1)


def _dates(sheet, cells: str, DataValidation) -> None:
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True)
    dates.error = "YYYY-MM-DD"
    dates.add(cells)
    sheet.add_data_validation(dates)


def _locked_but_filterable(sheet) -> None:
    protection = sheet.protection
    protection.sheet = True
    protection.autoFilter = protection.sort = False
    protection.formatColumns = protection.formatRows = False


def _layout(sheet, columns: tuple[str, ...], header_row: int = 1) -> None:
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(index)].width = WIDTHS.get(name, 16)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _sheet_name(lead: str, taken: set[str]) -> str:
    """A sheet name for a lead institution: at most 31 characters, none Excel refuses, unique."""
    base = SHEET_NAME_UNSAFE.sub(" ", lead).strip() or "Lead"
    name, number = base[:31], 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


# -- reading -----------------------------------------------------------------------------------------


def read_workbook(path: str | Path) -> FollowUp:
    """The follow-up a plan of action holds, checked as a follow-up file is."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file; expected a plan of action (.xlsx) written by selfcheck follow-up status --format xlsx")
    check_size(path, path.stat().st_size)
    return workbook_from_bytes(path, path.read_bytes())


def workbook_from_bytes(path: Path, data: bytes) -> FollowUp:
    """The follow-up the bytes of a plan of action hold (a file, or one sent from a browser); ``path`` names it in messages."""
    sheets, places = _Sheets(path, read_sheets(path, data)).data()
    follow_up, problems = check_follow_up_document(_WorkbookDocument(path, sheets, places))
    if follow_up is None:  # it comes with its problems
        raise problems[0]
    return follow_up


@dataclass(frozen=True)
class _Cell:
    value: Any
    data_type: str | None
    reference: str  # A1


class _WorkbookDocument(Document):
    """A follow-up read from a workbook: its problems name the sheet and the cell."""

    def __init__(self, path: Path, data: dict, places: dict[tuple, str]):
        super().__init__(path, data)
        self.places = places

    def error(self, problem: str, keys: tuple = ()) -> InputError:
        for end in range(len(keys), -1, -1):
            where = self.places.get(tuple(keys[:end]))
            if where:
                return InputError(self.file, f"{where}: {problem}", Place(tuple(keys)))
        return InputError(self.file, problem, Place(tuple(keys)))


class _Sheets:
    """Turns the sheets (their rows, as read) back into the data of a follow-up file, remembering the cell of every key."""

    def __init__(self, path: Path, book: dict[str, list[Row]]):
        self.path, self.book = path, book
        self.said = words()["workbook"]
        self.places: dict[tuple, str] = {}

    def refuse(self, sheet: str, cell: str, problem: str) -> InputError:
        return InputError(self.path, f"sheet {sheet!r}, cell {cell}: {problem}")

    def sheet(self, name: str) -> list[Row]:
        if name not in self.book:
            raise InputError(
                self.path,
                f"has no sheet {name!r}; expected the sheets {self.said['recommendations']}, {self.said['measures']} and {self.said['about']} as selfcheck wrote them",
            )
        return self.book[name]

    def rows(self, name: str, columns: tuple[str, ...], headers: dict[str, str] | None, first: int = 1):
        """(row number, {column: cell}) of every row from ``first`` that has a value, the header
        row (``headers`` given) checked first."""
        for number, row in enumerate(self.sheet(name)[first - 1 :], start=first):
            if number > MAX_ROWS:
                raise InputError(self.path, f"sheet {name!r} has more than {MAX_ROWS:,} rows; a plan of action has one per recommendation or measure")
            cells = {
                column: _Cell(value, data_type, f"{_letter(index)}{number}")
                for index, (column, (value, data_type)) in enumerate(zip(columns, row + ((None, None),) * len(columns), strict=False), start=1)
            }
            if headers is not None and number == first:
                expected = [headers[column] for column in columns]
                if [cells[column].value for column in columns] != expected:
                    raise InputError(self.path, f"sheet {name!r}, row {first}: expected the columns {', '.join(expected)} as selfcheck wrote them")
                continue
            if any(cell.value not in (None, "") for cell in cells.values()):
                yield number, cells

    def value(self, sheet: str, cell: _Cell, keys: tuple) -> Any:
        """A cell's value, refusing a formula; where it sits is kept for the messages."""
        self.places[keys] = f"sheet {sheet!r}, cell {cell.reference}"
        if cell.data_type == "f":
            raise self.refuse(sheet, cell.reference, f"holds the formula {cell.value}; write the value itself")
        value = cell.value
        if isinstance(value, datetime.datetime):
            if value.time() != datetime.time(0):
                raise self.refuse(sheet, cell.reference, f"expected a date without a time, got {value}")
            return value.date()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if keys and keys[-1] in TEXTS and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # a number typed where a text belongs, e.g. a lead institution's number
        return value

    def data(self) -> tuple[dict, dict]:
        about = self.about()
        vocabulary = rulebooks.rulebook(about["round"]).vocabulary if about.get("round") in rounds.known_rounds() else None
        if vocabulary is None:
            raise InputError(
                self.path,
                f"names the round {about.get('round')!r} on its {self.said['about']} sheet, which is not installed; known rounds: {', '.join(rounds.known_rounds())}",
            )
        recommendation_columns = columns(vocabulary.kinds)
        recommendations: dict[str, dict] = {}
        statuses = {label: status for status, label in words()["statuses"].items()}
        sheet = self.said["recommendations"]
        for number, cells in self.rows(sheet, recommendation_columns, {name: self.said["columns"].get(name, name) for name in recommendation_columns}):
            item_id = self.value(sheet, cells["id"], ("recommendations",))
            if not isinstance(item_id, str) or not item_id.strip():
                raise self.refuse(sheet, f"A{number}", f"expected a recommendation id, got {item_id!r}")
            item_id = item_id.strip()
            if item_id in recommendations:
                raise self.refuse(sheet, f"A{number}", f"{item_id} appears twice; each recommendation has one row")
            keys: tuple[str | int, ...] = ("recommendations", item_id)
            self.places[keys] = f"sheet {sheet!r}, row {number}"
            item = {
                name: self.value(sheet, cells[name], keys + (name,)) for name in ("level", "block", "chapter", "text", "reason", "lead", "deadline", "note")
            }
            item = {name: "" if value is None and name not in ("deadline",) else value for name, value in item.items()}
            item["chapter"] = str(item["chapter"])
            status = self.value(sheet, cells["status"], keys + ("status",))
            item["status"] = statuses.get(status, status)
            item["citations"] = {name: self.listed(sheet, cells[name], keys + ("citations", name), name == vocabulary.paragraphs) for name in vocabulary.kinds}
            if not item["reason"]:
                del item["reason"]
            item["measures"] = []
            recommendations[item_id] = item
        sheet = self.said["measures"]
        for number, cells in self.rows(sheet, MEASURE_COLUMNS, self.said["measure_columns"]):
            item_id = self.value(sheet, cells["id"], ())
            if item_id not in recommendations:
                raise self.refuse(sheet, f"A{number}", f"names {item_id!r}, which is not an id on the {self.said['recommendations']} sheet")
            keys = ("recommendations", item_id, "measures", len(recommendations[item_id]["measures"]))
            self.places[keys] = f"sheet {sheet!r}, row {number}"
            measure = {name: self.value(sheet, cells[name], keys + (name,)) for name in MEASURE_COLUMNS[1:]}
            recommendations[item_id]["measures"].append(
                {name: "" if value is None and name in ("what", "act", "reference") else value for name, value in measure.items()}
            )
        self.lead_sheets_follow()
        return {**about, "recommendations": recommendations}, self.places

    def listed(self, sheet: str, cell, keys: tuple, paragraphs: bool) -> list:
        value = self.value(sheet, cell, keys)
        if value is None or value == "":
            return []
        if isinstance(value, int):
            return [value]
        if not isinstance(value, str):
            raise self.refuse(sheet, cell.reference, f"expected references one per line, got {value!r}")
        items = [line.strip() for line in value.split("\n") if line.strip()]
        return [int(item) if paragraphs and item.isdigit() else item for item in items]

    def about(self) -> dict:
        sheet = self.said["about"]
        found: dict[str, Any] = {"drawn_from": {"amendments": []}}
        for number, cells in self.rows(sheet, ("key", "label", "value"), None, first=3):
            key = cells["key"].value
            if key not in self.said["about_rows"]:
                raise self.refuse(sheet, f"A{number}", f"unknown key {key!r}; expected {', '.join(self.said['about_rows'])}")
            if key == "amendment":
                value = self.value(sheet, cells["value"], ("drawn_from", "amendments", len(found["drawn_from"]["amendments"])))
                found["drawn_from"]["amendments"].append(value)
            elif key in ("party", "round"):
                found[key] = self.value(sheet, cells["value"], (key,))
            else:
                found["drawn_from"][key] = self.value(sheet, cells["value"], ("drawn_from", key))
        return found

    def lead_sheets_follow(self) -> None:
        """A sheet per lead institution only follows the Recommendations sheet: a value typed into
        it would be lost on reading, so it is refused, naming the cell."""
        named = {self.said["recommendations"], self.said["measures"], self.said["about"]}
        source = self.said["recommendations"]
        follows = re.compile(r"^=IF\('" + re.escape(source) + r"'!([A-Z]+)(\d+)=\"\",\"\",'" + re.escape(source) + r"'!\1\2\)$")
        for name in self.book:
            if name in named:
                continue
            for _, cells in self.rows(name, LEAD_COLUMNS, None, first=3):
                for cell in cells.values():
                    if cell.value is not None and (cell.data_type != "f" or not follows.match(str(cell.value))):
                        raise self.refuse(
                            name,
                            cell.reference,
                            f"was typed in, but this sheet only shows the {source} sheet; make the change there, so that it is read back",
                        )
