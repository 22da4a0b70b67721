"""A problem found in an upload: where (row and column, or the file as a whole), which rule, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """``row`` is the row number as a spreadsheet shows it (the header is row 1, the first unit row 2), or
    None for the file as a whole; ``column`` is the column name as written in the file ("-" for the file);
    ``message`` is a lazy string, rendered in the language active when it is turned into text."""

    row: int | None
    column: str
    rule: str
    message: Any

    def line(self) -> str:
        """``row 5, LongName, LN2: …`` or ``file, -, F2: …`` (the command's and the log file's format)."""
        where = "file, -" if self.row is None else f"row {self.row}, {self.column}"
        return f"{where}, {self.rule}: {self.message}"

    @property
    def sort_key(self) -> tuple[int, int]:
        return (-1 if self.row is None else self.row, 0)
