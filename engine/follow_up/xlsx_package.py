"""A workbook's package (.xlsx) read within bounds, for the plan of action's reader (``workbook``).

Before openpyxl parses anything, the file's size, its size unpacked and the work its XML would cost
are counted and capped: its XML elements, the rows of each sheet, the cells, and the shared strings
(a table of them larger than the cells that could use them is only work). defusedxml guards the XML
itself. Every cell is then read inside one guard: openpyxl parses a sheet only as its rows are
asked for, so a damaged part (XML cut short, bytes that are not UTF-8) is one message, whenever it
is met.
"""

from __future__ import annotations

import collections
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from selfcheck.engine.common.errors import InputError

MAX_BYTES = 10_000_000
MAX_UNPACKED = 100_000_000
MAX_ROWS = 10_000  # a sheet's; a plan of action has one per recommendation or measure
MAX_CELLS = 400_000  # in all: 10,000 rows of each sheet's columns, and then some
MAX_ELEMENTS = 4_000_000  # XML elements in all the package's parts
MAX_COLUMNS = 64  # read of each row: the sheets' columns are fewer
SLACK_STRINGS = 1_000  # shared strings beyond the cells that could use them
# Elements counted before parsing, whatever their namespace prefix: a row, a cell, a shared string.
_COUNTED = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,40}:)?(row|c|si)[\s/>]")

Row = tuple[tuple[Any, str | None], ...]  # each cell's value and data type


def check_size(path: Path, size: int) -> None:
    if size > MAX_BYTES:
        raise InputError(path, f"is {size:,} bytes; workbooks larger than {MAX_BYTES:,} bytes are refused")


def read_sheets(path: Path, data: bytes) -> dict[str, list[Row]]:
    """Every sheet's rows (up to MAX_ROWS + 1, MAX_COLUMNS each), the work bounded before parsing and
    everything read inside the guard: openpyxl parses a sheet only as its rows are asked for."""
    from openpyxl import load_workbook

    check_size(path, len(data))
    _check_work(path, data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            return {name: _rows_of(book[name]) for name in book.sheetnames}
        finally:
            book.close()
    except Exception as error:  # openpyxl raises many kinds on a damaged package; each means the same to the user
        raise InputError(path, f"cannot be read as an Excel workbook: {error}") from None


def _rows_of(sheet) -> list[Row]:
    rows = []
    for row in sheet.iter_rows(max_col=MAX_COLUMNS):
        rows.append(tuple((getattr(cell, "value", None), getattr(cell, "data_type", None)) for cell in row))
        if len(rows) > MAX_ROWS:  # enough to say there are too many
            break
    return rows


def _check_work(path: Path, data: bytes) -> None:
    """What parsing would cost, counted in the package's XML before any of it is parsed: its size
    unpacked, its elements, and its rows (a sheet's), cells and shared strings. A table of shared
    strings larger than the cells that could use them is refused: it is only work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = [member for member in package.infolist() if not member.is_dir()]
            unpacked = sum(member.file_size for member in members)
            if unpacked > MAX_UNPACKED:
                raise InputError(path, f"unpacks to {unpacked:,} bytes; workbooks over {MAX_UNPACKED:,} bytes are refused")
            elements = cells = strings = 0
            for member in members:
                rows = 0
                for chunk in _chunks(package, member):
                    found = collections.Counter(_COUNTED.findall(chunk))
                    elements, cells, strings, rows = elements + chunk.count(b"<"), cells + found[b"c"], strings + found[b"si"], rows + found[b"row"]
                    if rows > MAX_ROWS + 2:  # the header rows, then MAX_ROWS
                        raise InputError(path, f"has a sheet of more than {MAX_ROWS:,} rows; a plan of action has one per recommendation or measure")
                    if elements > MAX_ELEMENTS:
                        raise InputError(path, f"holds more than {MAX_ELEMENTS:,} XML elements; a plan of action has far fewer")
                    if cells > MAX_CELLS:
                        raise InputError(path, f"has more than {MAX_CELLS:,} cells; a plan of action has far fewer")
                    if strings > MAX_CELLS + SLACK_STRINGS:
                        raise InputError(path, f"holds more than {MAX_CELLS + SLACK_STRINGS:,} shared strings, more than its cells could use")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        raise InputError(path, "is not an Excel workbook (.xlsx); expected the plan of action written by selfcheck") from None
    if strings > cells + SLACK_STRINGS:
        raise InputError(path, f"holds {strings:,} shared strings, more than its cells ({cells:,}) could use; save it again from the spreadsheet program")


def _chunks(package: zipfile.ZipFile, member: zipfile.ZipInfo):
    """One part of the package unpacked a megabyte at a time; a chunk ends before a '<', so that no
    element's name is cut in two."""
    with package.open(member) as stream:
        carried = b""
        while True:
            read = stream.read(1 << 20)
            block = carried + read
            cut = block.rfind(b"<") if read else len(block)
            if cut <= 0 or len(block) - cut > 4096:  # no '<' to cut before, or a long text after it: all of it now
                cut = len(block)
            chunk, carried = block[:cut], block[cut:]
            yield chunk
            if not read:
                return
