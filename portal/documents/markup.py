"""The restricted markup of the document texts, and its rendering to HTML.

A small, strict subset of Markdown, so that a text file reads naturally and renders the same on a page
and in a PDF, and nothing in it can become markup the author did not mean:

- ``## Heading`` and ``### Subheading``;
- paragraphs: lines separated by a blank line (the lines of one paragraph are joined);
- ``- item`` lists and ``1. item`` numbered lists; an item continues on lines indented by two spaces;
- ``**strong**`` inside any of these.

Everything else is text: it is HTML-escaped, so ``<b>`` shows as ``<b>``. A line the parser does not
accept (``#``, ``####``, a list item out of a list's rhythm) is an error with its line number, found
when the texts are loaded, never when a customer opens one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
BULLET = re.compile(r"^-\s+(.*)$")
NUMBERED = re.compile(r"^\d{1,3}\.\s+(.*)$")
STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


class MarkupError(ValueError):
    """The text is not in the restricted markup; the message names the line."""


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph", "bullets", "numbered"
    level: int = 0  # headings: 0 for "##", 1 for "###"
    lines: tuple[str, ...] = ()  # a paragraph's text, a heading's text, or one entry per list item


def parse(text: str) -> list[Block]:
    """The blocks of ``text``; raises MarkupError on a line the markup does not allow."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_kind = ""

    def close() -> None:
        nonlocal list_kind
        if paragraph:
            blocks.append(Block("paragraph", lines=(" ".join(paragraph),)))
            paragraph.clear()
        if items:
            blocks.append(Block(list_kind, lines=tuple(items)))
            items.clear()
        list_kind = ""

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            close()
            continue
        if items and raw.startswith("  "):
            items[-1] = f"{items[-1]} {line.strip()}"
            continue
        if line != line.lstrip():
            raise MarkupError(f"line {number}: indented text outside a list item")
        heading = HEADING.match(line)
        if heading:
            hashes = len(heading.group(1))
            if hashes not in (2, 3):
                raise MarkupError(
                    f"line {number}: headings are '## ' or '### ' (the title is in the front matter)"
                )
            close()
            blocks.append(Block("heading", level=hashes - 2, lines=(heading.group(2).strip(),)))
            continue
        for kind, pattern in (("bullets", BULLET), ("numbered", NUMBERED)):
            item = pattern.match(line)
            if item:
                if paragraph:
                    raise MarkupError(f"line {number}: leave a blank line between a paragraph and a list")
                if items and list_kind != kind:
                    raise MarkupError(f"line {number}: a bulleted and a numbered list run together")
                list_kind = kind
                items.append(item.group(1).strip())
                break
        else:
            if items:
                raise MarkupError(f"line {number}: leave a blank line after a list")
            paragraph.append(line)
    close()
    return blocks


def _inline(text: str) -> str:
    # Escape first: the only markup in the result is what STRONG adds.
    return STRONG.sub(r"<strong>\1</strong>", str(escape(text)))


def to_html(text: str, heading_level: int = 3) -> Markup:
    """The text as HTML; ``## `` becomes ``<h{heading_level}>`` and ``### `` the level below it."""
    return _to_html(text, heading_level)


@lru_cache(maxsize=256)
def _to_html(text: str, heading_level: int) -> Markup:
    if not 1 <= heading_level <= 5:
        raise ValueError("heading_level must be 1 to 5")
    parts = []
    for block in parse(text):
        if block.kind == "heading":
            tag = f"h{heading_level + block.level}"
            parts.append(f"<{tag}>{_inline(block.lines[0])}</{tag}>")
        elif block.kind == "paragraph":
            parts.append(f"<p>{_inline(block.lines[0])}</p>")
        else:
            tag = "ul" if block.kind == "bullets" else "ol"
            entries = "".join(f"<li>{_inline(item)}</li>" for item in block.lines)
            parts.append(f"<{tag}>{entries}</{tag}>")
    return Markup("".join(parts))  # noqa: S704  (every text part went through escape())
