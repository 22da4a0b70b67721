"""Progress reporting for a sync: a protocol, and tqdm bars for the terminal."""

from __future__ import annotations

from typing import Protocol

from tqdm import tqdm


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...

    def close(self) -> None: ...


class TqdmProgress:
    """One bar per classification, on standard error."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def start(self, label: str, total: int) -> None:
        self.close()
        self.bar = tqdm(total=total, desc=f"{label:<14}", unit=" codes", dynamic_ncols=True)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
