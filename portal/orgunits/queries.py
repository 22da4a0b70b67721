"""Reading the acting organisation's branch of the register mirror: which units belong to it, the
hierarchy, and the flat list with its search.

The branch is the top unit (the acting organisation's, ``g.acting["oid"]``) and every unit under it,
followed through ``parent_oid``. Whether one unit belongs to it is answered by walking up from the unit
(a few primary-key reads, always fresh). The list, the hierarchy and the search need the whole branch;
walking down through ``parent_oid`` costs one index probe per unit (a welfare area has thousands), too slow
to do on every search, so the branch's list columns are kept in memory per app (``Branch``) and searched
there. A kept branch is used while the mirror's revision is the one it was read at: the newest sync run and
the newest unit event (``revision``). Syncs record their run after their data is committed, and loading
writes its events in the transaction that changes the units, so a branch read at a revision is never older
than that revision. As a backstop for changes made past both (by hand in the database), a kept branch is
read again after ``KEEP_SECONDS``.

Search texts: case-insensitive; ``?`` stands for any one character and ``^?`` for a question mark itself;
every other character stands for itself. A simple search finds the text in the OID, the abbreviations or
the long name.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.integrations.codeserver import wire
from portal.orgunits.models import UnitEvent
from portal.registry.models import RegisterUnit, SyncRun
from portal.reviews.queries import Page

PER_PAGE = 50
# A guard against a loop of parents in the register: no real hierarchy is this deep.
MAX_DEPTH = 40
# The hierarchy shows whole levels until this many units are on the page; deeper units are a link away.
TREE_BUDGET = 300
KEEP_SECONDS = 300.0
KEPT_BRANCHES = 32
EXTENSION = "orgunits.branches"

Unit = RegisterUnit


def _municipality() -> Any:
    return sa.func.coalesce(Unit.municipality_code, "") + " " + sa.func.coalesce(Unit.municipality_name, "")


# The columns the list, the hierarchy and the search read (not the large attributes JSON).
LIST_COLUMNS = (
    Unit.oid,
    Unit.parent_oid,
    Unit.abbreviation,
    Unit.org_unit_abbreviation,
    Unit.long_name,
    Unit.business_id,
    _municipality().label("municipality"),
    Unit.street_address,
    Unit.post_number,
    Unit.post_office,
    Unit.phone,
    Unit.topi_code,
    Unit.sector,
    Unit.health_unit,
    Unit.social_unit,
    Unit.health_service_unit,
    Unit.social_service_unit,
    Unit.renewal_requests,
    Unit.begin_date,
    Unit.expiration_date,
    Unit.modified_date,
    # Texts the code server may hold for a code, kept in the attributes only.
    Unit.attributes[(wire.SHORT_NAME, 0)].as_string().label("short_name"),
    Unit.attributes[(wire.DESCRIPTION, 0)].as_string().label("description"),
)
# The simple search looks in these.
SEARCHED = ("oid", "abbreviation", "org_unit_abbreviation", "short_name", "long_name", "description")


# --- search texts -------------------------------------------------------------------------------------


# ``?``: one character of one field: not the marker that begins a line of a column, a tab or a line break.
MARK = "\x01"
ANY_ONE = "[^\x01\x03\t\n]"


def text_regex(text: str) -> str:
    """A search text as a regular expression over lower-case text: ``?`` any one character (within one
    field), ``^?`` a question mark, everything else itself."""
    out: list[str] = []
    i = 0
    lowered = text.lower()
    while i < len(lowered):
        char = lowered[i]
        if char == "^" and lowered[i + 1 : i + 2] == "?":
            out.append(re.escape("?"))
            i += 2
            continue
        out.append(ANY_ONE if char == "?" else re.escape(char))
        i += 1
    return "".join(out)


# --- advanced search ----------------------------------------------------------------------------------

# Field → kind: "text", "date", "flag", "sector".
SEARCH_FIELDS: dict[str, str] = {
    "oid": "text",
    "abbreviation": "text",
    "long_name": "text",
    "short_name": "text",
    "description": "text",
    "org_unit_abbreviation": "text",
    "parent_oid": "text",
    "business_id": "text",
    "municipality": "text",
    "street_address": "text",
    "post_number": "text",
    "post_office": "text",
    "phone": "text",
    "topi_code": "text",
    "sector": "sector",
    "health_unit": "flag",
    "social_unit": "flag",
    "health_service_unit": "flag",
    "social_service_unit": "flag",
    "renewal_requests": "flag",
    "begin_date": "date",
    "expiration_date": "date",
    "modified_date": "date",
}
OPERATORS = {
    "text": ("contains", "eq", "ne", "starts"),
    "date": ("eq", "ne", "lt", "gt"),
    "flag": ("eq",),
    "sector": ("eq", "ne"),
}


@dataclass(frozen=True)
class Criterion:
    """One line of the advanced search: ``field`` (a key of SEARCH_FIELDS) ``operator`` ``value``;
    ``value`` is a str (text, sector), a date, or a bool (flag)."""

    field: str
    operator: str
    value: Any

    def matches(self, branch: Branch) -> set[int]:
        """Indexes of the branch's rows that meet the criterion."""
        kind, op, name, value = SEARCH_FIELDS[self.field], self.operator, self.field, self.value
        if op not in OPERATORS[kind]:
            raise ValueError(f"{op} does not apply to {name}")
        if kind == "text":
            body = text_regex(value.strip())
            regex = {"contains": body, "starts": MARK + body}.get(op, MARK + body + END_OF_VALUE)
            found = set(find_lines(regex, branch.column(name)))
            return set(range(len(branch.rows))) - found if op == "ne" else found
        values = branch.values(name)
        if kind == "flag":
            return {i for i, v in enumerate(values) if bool(v) is bool(value)}
        test: Callable[[Any], bool] = {
            "eq": lambda v: v == value,
            "ne": lambda v: v != value,
            "lt": lambda v: v is not None and v < value,
            "gt": lambda v: v is not None and v > value,
        }[op]
        return {i for i, v in enumerate(values) if test(v)}


NUMBER = "\x03"  # begins a line's index, after its text
END_OF_VALUE = f"(?={NUMBER})"


def numbered(lines: Iterable[str]) -> str:
    """The lines as one text, each followed by ``NUMBER`` and its index, each ending in a line break: one
    regular expression then finds the indexes of the lines it matches, without a Python step per line."""
    return "".join(f"{line}{NUMBER}{i}\n" for i, line in enumerate(lines))


def find_lines(pattern: str, text: str) -> list[int]:
    """The indexes of the lines of ``numbered`` text where the regular expression ``pattern`` is found,
    in order, each once (a match runs on to its line's index, and the search goes on from the next line).
    The pattern cannot match a line's index: it would need another ``NUMBER`` after it (a line holds one:
    ``ANY_ONE`` and the searched texts never hold it)."""
    # ``[^\n]*`` runs to the line's end and gives back the few characters of the index (a class of two
    # characters instead would be twice as slow: the engine has a fast path for this one).
    return [int(n) for n in re.findall(rf"(?:{pattern})[^\n]*{NUMBER}(\d+)", text)]


@dataclass(frozen=True)
class Search:
    """What the list shows: units matching ``text`` and every criterion, under ``under`` (an OID in the
    branch; None: the whole branch)."""

    text: str = ""
    criteria: tuple[Criterion, ...] = ()
    under: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not self.criteria and self.under is None


# --- one unit's place ---------------------------------------------------------------------------------


def path_to(oid: str) -> list[RegisterUnit]:
    """The unit and its parents, the farthest first, as far as the mirror has them."""
    chain = (
        sa.select(Unit.oid.label("oid"), Unit.parent_oid.label("parent_oid"), sa.literal(0).label("depth"))
        .where(Unit.oid == oid)
        .cte("chain", recursive=True)
    )
    parent = aliased(Unit, name="parent")
    chain = chain.union_all(
        sa.select(parent.oid, parent.parent_oid, chain.c.depth + 1).where(
            parent.oid == chain.c.parent_oid, chain.c.depth < MAX_DEPTH
        )
    )
    rows = db.session.scalars(
        sa.select(Unit).join(chain, Unit.oid == chain.c.oid).order_by(chain.c.depth.desc())
    )
    return list(rows)


def branch_path(top_oid: str, oid: str) -> list[RegisterUnit] | None:
    """The units from the top unit down to ``oid``, or None when ``oid`` is not in the top unit's branch."""
    path = path_to(oid)
    oids = [u.oid for u in path]
    if top_oid not in oids:
        return None
    return path[oids.index(top_oid) :]


def in_branch(top_oid: str, oid: str) -> bool:
    return bool(oid) and branch_path(top_oid, oid) is not None


def children(oid: str) -> Sequence[sa.Row]:
    return db.session.execute(
        sa.select(*LIST_COLUMNS).where(Unit.parent_oid == oid).order_by(Unit.long_name, Unit.oid)
    ).all()


# --- the branch in memory -----------------------------------------------------------------------------


def subtree(root_oid: str) -> sa.CTE:
    """The OIDs of ``root_oid`` and every unit under it. UNION, not UNION ALL: a loop of parents in the
    register ends when it comes round again."""
    start = sa.select(Unit.oid.label("oid")).where(Unit.oid == root_oid).cte("subtree", recursive=True)
    child = aliased(Unit, name="child")
    return start.union(sa.select(child.oid).where(child.parent_oid == start.c.oid))


def revision() -> tuple[Any, Any]:
    """What changes whenever the mirror's units may have: the newest sync run and unit event."""
    row = db.session.execute(
        sa.select(sa.select(sa.func.max(SyncRun.id)).scalar_subquery(),
                  sa.select(sa.func.max(UnitEvent.id)).scalar_subquery())
    ).one()  # fmt: skip
    return (row[0], row[1])


def _sort_key(row: Any) -> tuple[str, str]:
    return ((row.long_name or "").lower(), row.oid)


def _line(row: Any) -> str:
    return "\t".join(
        (getattr(row, name) or "").lower().replace("\n", " ").replace("\t", " ") for name in SEARCHED
    )


class Branch:
    """The branch's list rows (``LIST_COLUMNS``), by long name, with what the search and the hierarchy
    need: children by parent, and one lower-case line of the searched fields per row."""

    def __init__(self, top_oid: str, rows: Sequence[Any], read_at: tuple[Any, Any]) -> None:
        self.top_oid = top_oid
        self.read_at = read_at
        self.loaded = time.monotonic()
        self.rows = sorted(rows, key=_sort_key)
        self.by_oid = {row.oid: row for row in self.rows}
        self.index = {row.oid: i for i, row in enumerate(self.rows)}
        self.children: dict[str, list[Any]] = {}
        for row in self.rows:
            if row.parent_oid and row.oid != top_oid:
                self.children.setdefault(row.parent_oid, []).append(row)
        self.text = numbered(_line(row) for row in self.rows)
        self._columns: dict[str, str] = {}
        self._values: dict[str, list[Any]] = {}

    @classmethod
    def read(cls, top_oid: str, read_at: tuple[Any, Any]) -> Branch:
        members = subtree(top_oid)
        rows = db.session.execute(sa.select(*LIST_COLUMNS).join(members, members.c.oid == Unit.oid)).all()
        return cls(top_oid, rows, read_at)

    def __len__(self) -> int:
        return len(self.rows)

    def under(self, root_oid: str) -> set[str]:
        """``root_oid`` and the OIDs under it (empty when it is not in the branch)."""
        if root_oid not in self.by_oid:
            return set()
        found = {root_oid}
        stack = [root_oid]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child.oid not in found:
                    found.add(child.oid)
                    stack.append(child.oid)
        return found

    def values(self, name: str) -> list[Any]:
        """One field of every row, in the rows' order (kept: reading a field of thousands of rows is slow)."""
        if name not in self._values:
            self._values[name] = [getattr(row, name) for row in self.rows]
        return self._values[name]

    def column(self, name: str) -> str:
        """One field of every row, lower case, as ``numbered`` lines (the marker, then the value)."""
        if name not in self._columns:
            self._columns[name] = numbered(
                MARK + (getattr(row, name) or "").strip().lower().replace("\n", " ") for row in self.rows
            )
        return self._columns[name]

    def matching_text(self, text: str) -> list[int] | None:
        """Indexes of the rows where ``text`` is found in a searched field (None: no text, every row)."""
        if not text.strip():
            return None
        return find_lines(text_regex(" ".join(text.split())), self.text)

    def search(self, query: Search) -> list[Any]:
        """The rows matching ``query``, by long name."""
        indexes = self.matching_text(query.text)
        chosen: set[int] | None = None if indexes is None else set(indexes)
        if query.under is not None:
            index = self.index
            found = {index[oid] for oid in self.under(query.under)}
            chosen = found if chosen is None else chosen & found
        for criterion in query.criteria:
            found = criterion.matches(self)
            chosen = found if chosen is None else chosen & found
        if chosen is None:
            return list(self.rows)
        return [self.rows[i] for i in sorted(chosen)]

    def depth_first(self, root_oid: str | None = None) -> Iterator[Any]:
        """The rows under ``root_oid`` (the top unit), parents before children, siblings by long name."""
        root = self.by_oid.get(root_oid or self.top_oid)
        if root is None:
            return
        seen: set[str] = set()
        stack = [root]
        while stack:
            row = stack.pop()
            if row.oid in seen:
                continue
            seen.add(row.oid)
            yield row
            stack.extend(reversed(self.children.get(row.oid, ())))


_lock = threading.Lock()


def branch(top_oid: str) -> Branch:
    """The top unit's branch as it is in the mirror now (kept in memory while the mirror's revision stays)."""
    kept: OrderedDict[str, Branch] = current_app.extensions.setdefault(EXTENSION, OrderedDict())
    now = revision()
    with _lock:
        found = kept.get(top_oid)
        if found is not None and found.read_at == now and time.monotonic() - found.loaded < KEEP_SECONDS:
            kept.move_to_end(top_oid)
            return found
    fresh = Branch.read(top_oid, now)
    with _lock:
        kept[top_oid] = fresh
        kept.move_to_end(top_oid)
        while len(kept) > KEPT_BRANCHES:
            kept.popitem(last=False)
    return fresh


def forget() -> None:
    """Drop the kept branches (after changing the mirror by other means than syncing or loading)."""
    current_app.extensions.pop(EXTENSION, None)


# --- the flat list and the search ---------------------------------------------------------------------


def search(top_oid: str, query: Search, number: int = 1, per_page: int = PER_PAGE) -> Page:
    """Page ``number`` of the branch's units that match ``query``, by long name; a page past the end gives
    the last page. A sub-hierarchy outside the branch matches nothing."""
    rows = branch(top_oid).search(query)
    pages = max(1, -(-len(rows) // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    return Page(rows[start : start + per_page], len(rows), number, per_page)


def branch_units(top_oid: str) -> list[RegisterUnit]:
    """Every unit of the branch, whole, parents before their children (siblings by long name): the order
    of a file that loads back as it is."""
    order = [row.oid for row in branch(top_oid).depth_first()]
    members = subtree(top_oid)
    units = {u.oid: u for u in db.session.scalars(sa.select(Unit).join(members, members.c.oid == Unit.oid))}
    return [units[oid] for oid in order if oid in units]


# --- the hierarchy ------------------------------------------------------------------------------------


@dataclass
class Node:
    row: Any  # a list row of the unit
    children: list[Node] = field(default_factory=list)
    hidden: int = 0  # children not shown here (a link leads to the hierarchy under this unit)

    @property
    def oid(self) -> str:
        return self.row.oid


def hierarchy(top_oid: str, root_oid: str | None = None, budget: int = TREE_BUDGET) -> Node | None:
    """The tree under ``root_oid`` (default: the top unit): whole levels, as many as fit in ``budget``
    units (at least the root's children); a node whose children did not fit says how many it has."""
    kept = branch(top_oid)
    root_row = kept.by_oid.get(root_oid or top_oid)
    if root_row is None:
        return None
    root = Node(root_row)
    seen = {root.oid}
    level = [root]
    shown = 1
    first = True
    while level:
        below = [(node, [r for r in kept.children.get(node.oid, ()) if r.oid not in seen]) for node in level]
        count = sum(len(rows) for _, rows in below)
        if not count:
            break
        if not first and shown + count > budget:
            for node, rows in below:
                node.hidden = len(rows)
            break
        first = False
        shown += count
        level = []
        for node, rows in below:
            for row in rows:
                seen.add(row.oid)
                child = Node(row)
                node.children.append(child)
                level.append(child)
    return root


def is_valid_on(row: Any, day: date) -> bool:
    return (row.begin_date is None or row.begin_date <= day) and (
        row.expiration_date is None or day <= row.expiration_date
    )
