"""Rate limits: ``Limit`` here (the configuration reads it), the counting in ``portal.ratelimits.limits``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """``count`` requests in each window of ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, value: str) -> Limit | None:
        """``"30/300"`` (30 requests in 300 seconds), or ``"off"`` or empty for no limit."""
        value = value.strip()
        if value in ("", "off"):
            return None
        count, slash, seconds = value.partition("/")
        if not slash or not count.strip().isdigit() or not seconds.strip().isdigit():
            raise ValueError(f"a rate limit is written as count/seconds, such as 30/300: {value!r}")
        limit = cls(int(count), int(seconds))
        if limit.count < 1 or limit.seconds < 1:
            raise ValueError(f"a rate limit needs at least one request and one second: {value!r}")
        return limit
