"""The branch's text search (one regular expression over the numbered lines of the whole branch) finds
exactly the rows that a search of each row's own text finds, whatever the texts and the query."""

from __future__ import annotations

import re
from collections import namedtuple

from hypothesis import given
from hypothesis import strategies as st

from portal.orgunits.queries import LIST_COLUMNS, Branch, Criterion, text_regex

NAMES = [getattr(c, "name", None) or c.key for c in LIST_COLUMNS]
Row = namedtuple("Row", NAMES)  # type: ignore[misc]

# Short texts over a small alphabet, so that queries often match: digits (like the lines' own indexes),
# the wildcard and its escape, spaces and tabs.
alphabet = st.sampled_from(list("ab1 0?^\tä"))
texts = st.text(alphabet, max_size=8)


def make_branch(values: list[tuple[str, str, str]]) -> Branch:
    rows = []
    for n, (long_name, abbreviation, description) in enumerate(values):
        row = dict.fromkeys(NAMES)
        row.update(oid=f"1.2.{n}", long_name=long_name, abbreviation=abbreviation, description=description)
        rows.append(Row(**row))
    return Branch("1.2.0", rows, (None, None))


def one_by_one(branch: Branch, fields: tuple[str, ...], pattern: str) -> list[int]:
    return [
        i
        for i, row in enumerate(branch.rows)
        if any(re.search(pattern, (getattr(row, f) or "").lower().replace("\t", " ")) for f in fields)
    ]


@given(st.lists(st.tuples(texts, texts, texts), min_size=1, max_size=30), texts)
def test_text_search_finds_what_each_row_alone_would(values, query):
    branch = make_branch(values)
    found = branch.matching_text(query)
    if not query.strip():
        assert found is None
        return
    pattern = text_regex(" ".join(query.split()))
    assert found == one_by_one(branch, ("oid", "abbreviation", "long_name", "description"), pattern)


@given(
    st.lists(st.tuples(texts, texts, texts), min_size=1, max_size=30),
    st.sampled_from(["contains", "starts", "eq", "ne"]),
    texts.filter(lambda t: t.strip()),
)
def test_a_field_search_finds_what_each_value_alone_would(values, operator, value):
    branch = make_branch(values)
    body = text_regex(value.strip())
    pattern = {"contains": body, "starts": "^" + body}.get(operator, "^" + body + "$")
    expected = {
        i for i, row in enumerate(branch.rows) if re.search(pattern, (row.long_name or "").strip().lower())
    }
    if operator == "ne":
        expected = set(range(len(branch.rows))) - expected
    assert Criterion("long_name", operator, value).matches(branch) == expected
