"""Syncing the register mirror from the code server.

A full sync downloads every configured classification and replaces the mirror's content in one transaction;
a changes sync asks each classification for what was modified since the day of its last successful sync
(``modifiedAfter`` is inclusive, and the day is taken in UTC, which is never later than the Finnish day, so
nothing is missed; a day fetched twice is harmless) and upserts it. Codes that come back ``DELETED`` or
``PROPOSAL`` are removed from the mirror, which holds active codes only, exactly as a full sync would.
Units changed in the portal and not yet exported are left as they are (the export sends them).
If the code server fails midway the transaction is rolled back: the mirror stays as it was, a failed
``SyncRun`` is recorded, and ``SyncFailed`` carries a message a person can act on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.codeserver import classification_oids
from portal.integrations.codeserver.client import CodeServerClient, CodeServerError
from portal.registry.models import REGISTERS, RegisterUnit, SyncRun
from portal.registry.progress import Progress, TqdmProgress
from portal.registry.rows import Row, code_row, unit_row
from portal.registry.writers import Clock, locally_changed, writer_for

log = logging.getLogger(__name__)


class SyncFailed(Exception):
    """The sync did not complete and the mirror was left unchanged; ``result`` tells what was tried."""

    def __init__(self, message: str, result: SyncResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class ClassificationResult:
    classification: str  # "sote", "municipalities", …
    oid: str
    mode: str  # "full" or "changes"
    modified_after: date | None = None
    received: int = 0
    written: int = 0
    removed: int = 0
    kept: int = 0  # units received but left as they are: changed in the portal, not yet exported


@dataclass
class SyncResult:
    mode: str  # what was asked for: "full" or "changes"
    started_at: datetime
    parts: list[ClassificationResult] = field(default_factory=list)
    finished_at: datetime | None = None
    error: str | None = None
    fetch_seconds: float = 0.0  # HTTP and JSON
    convert_seconds: float = 0.0  # concept codes to rows
    db_seconds: float = 0.0  # everything inside the database transaction but the two above

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.finished_at is not None

    @property
    def seconds(self) -> float:
        return ((self.finished_at or utcnow()) - self.started_at).total_seconds()

    def summary(self) -> str:
        lines = [
            f"{p.classification}: {p.mode}"
            + (f" since {p.modified_after.isoformat()}" if p.modified_after else "")
            + f", {p.received} received, {p.written} written, "
            + (f"{p.removed} replaced" if p.mode == "full" else f"{p.removed} removed")
            + (f", {p.kept} kept (changed in the portal, not yet exported)" if p.kept else "")
            for p in self.parts
        ]
        return "\n".join([*lines, f"Done in {self.seconds:.1f} s."])


def sync_full(client: CodeServerClient | None = None, *, progress: Progress | None = None) -> SyncResult:
    """Replace the mirror with everything the code server holds. Needs an app context."""
    return _sync("full", client, progress)


def sync_changes(client: CodeServerClient | None = None, *, progress: Progress | None = None) -> SyncResult:
    """Apply what changed since each classification's last successful sync (a classification never synced
    gets a full sync)."""
    return _sync("changes", client, progress)


def mirror_is_empty() -> bool:
    return db.session.scalar(sa.select(RegisterUnit.oid).limit(1)) is None


def sync_if_empty(
    client: CodeServerClient | None = None, *, progress: bool | Progress | None = None
) -> SyncResult | None:
    """A full sync when the mirror holds no unit yet (the first start of the portal); otherwise nothing."""
    if not mirror_is_empty():
        return None
    bar = TqdmProgress() if progress is True else progress or None
    try:
        return sync_full(client, progress=bar)
    finally:
        if bar is not None:
            bar.close()


def changes_since(classification: str) -> date | None:
    """The day of the classification's last successful sync (UTC), where a changes sync starts from."""
    started = db.session.scalar(
        sa.select(SyncRun.started_at)
        .where(SyncRun.classification == classification, SyncRun.succeeded.is_(True))
        .order_by(SyncRun.started_at.desc())
        .limit(1)
    )
    return started.date() if started else None


def _sync(mode: str, client: CodeServerClient | None, progress: Progress | None) -> SyncResult:
    config = current_app.config
    result = SyncResult(mode=mode, started_at=utcnow())
    for key, oid in classification_oids(config).items():
        after = changes_since(key) if mode == "changes" else None
        result.parts.append(ClassificationResult(key, oid, "changes" if after else "full", after))
    db.session.rollback()  # the sync's own connection must not wait on a transaction of this session
    own_client = client is None
    client = client or CodeServerClient.from_config(config)
    clock = Clock()
    failure: Exception | None = None
    try:
        with db.engine.begin() as conn:
            writer = writer_for(conn, clock)
            kept = locally_changed(conn)
            for part in result.parts:
                batches = _batches(client, part, result, progress)
                if part.classification in REGISTERS:
                    batches = _without(batches, kept, part)
                    write = writer.replace_units if part.mode == "full" else None
                    counts = write(part.classification, batches) if write else writer.merge_units(batches)
                elif part.mode == "full":
                    counts = writer.replace_codes(part.oid, batches)
                else:
                    counts = writer.merge_codes(batches)
                part.written, part.removed = counts.written, counts.removed
    except CodeServerError as exc:
        failure, result.error = exc, str(exc)
    except sa.exc.SQLAlchemyError as exc:  # pragma: no cover - the database itself failing
        failure, result.error = exc, f"The mirror could not be written: {exc.__class__.__name__}."
    except Exception as exc:
        if exc.__class__.__module__.startswith("psycopg"):
            failure, result.error = exc, f"The mirror could not be written: {str(exc).splitlines()[0]}"
        else:
            raise
    finally:
        if own_client:
            client.close()
        if progress is not None:
            progress.close()
    result.finished_at = utcnow()
    result.db_seconds = max(0.0, clock.seconds)
    _record(result)
    if failure is not None:
        raise SyncFailed(result.error or str(failure), result) from None
    return result


def _batches(
    client: CodeServerClient, part: ClassificationResult, result: SyncResult, progress: Progress | None
) -> Iterator[list[Row]]:
    synced_at = result.started_at
    if part.classification in REGISTERS:

        def convert(item):
            return unit_row(item, part.classification, synced_at)
    else:

        def convert(item):
            return code_row(item, part.oid, synced_at)

    pages = client.iter_pages(part.oid, part.modified_after)
    started = False
    while True:
        t0 = time.perf_counter()
        page = next(pages, None)
        t1 = time.perf_counter()
        result.fetch_seconds += t1 - t0
        if page is None:
            return
        if progress is not None and not started:
            progress.start(part.classification, page.total_items)
            started = True
        rows = [convert(item) for item in page.items]
        result.convert_seconds += time.perf_counter() - t1
        part.received += len(rows)
        yield rows
        if progress is not None:
            progress.advance(len(rows))


def _without(
    batches: Iterator[list[Row]], kept: frozenset[str], part: ClassificationResult
) -> Iterator[list[Row]]:
    """The batches without the units changed in the portal and not yet exported: the national register
    gets those from the next export, and until then the portal's version is the one to keep."""
    for batch in batches:
        if kept:
            rows = [row for row in batch if row["oid"] not in kept]
            part.kept += len(batch) - len(rows)
            batch = rows
        yield batch


def _record(result: SyncResult) -> None:
    """One SyncRun per classification, in a transaction of its own (a failed sync is recorded too)."""
    try:
        db.session.add_all(
            SyncRun(
                classification=p.classification,
                classification_oid=p.oid,
                mode=p.mode,
                modified_after=p.modified_after,
                started_at=result.started_at,
                finished_at=result.finished_at,
                succeeded=result.error is None,
                received=p.received,
                written=p.written if result.error is None else 0,
                removed=p.removed if result.error is None else 0,
                error=result.error,
            )
            for p in result.parts
        )
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.exception("could not record the sync run")
