"""A local SMTP server (aiosmtpd) that keeps every message it receives, for the demo and the tests.

    with SmtpStandin(maildir="instance/mail") as smtp:
        app.config.update(smtp.mail_config())
        ...
        [message] = smtp.wait_for(1, timeout=5)

``down()`` and ``up()`` simulate an outage on the same port (connections are refused while down);
``fail_with("451 ...")`` keeps the server up but refuses every message with that reply.
``python -m portal.integrations.smtp.standin`` serves it on the port of ``MAIL_PORT``.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from portal.integrations.serve import free_port

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedMessage:
    message: EmailMessage
    mail_from: str
    rcpt_tos: tuple[str, ...]
    received_at: datetime
    raw: bytes
    path: Path | None  # the .eml file, when the stand-in writes a maildir

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    def body(self, subtype: str = "plain") -> str:
        """The text/<subtype> body, or "" when the message has none."""
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""

    def attachments(self) -> list[tuple[str | None, str, bytes]]:
        """(file name, content type, content) of each attachment."""
        return [
            (part.get_filename(), part.get_content_type(), part.get_payload(decode=True) or b"")
            for part in self.message.iter_attachments()
        ]


class _Handler:
    def __init__(self, standin: SmtpStandin) -> None:
        self.standin = standin

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refusal = self.standin.refusal
        if refusal is not None:
            return refusal
        self.standin._store(envelope)
        return "250 Message accepted for delivery"


class SmtpStandin:
    def __init__(self, port: int = 0, maildir: str | Path | None = None, host: str = "127.0.0.1") -> None:
        # aiosmtpd cannot listen on port 0 (it connects to its own port to check it is up),
        # and down()/up() must come back on the same port: pick a free one now.
        self.host = host
        self.port = port or free_port()
        self.maildir = Path(maildir) if maildir else None
        self.refusal: str | None = None
        self._controller: Controller | None = None
        self._messages: list[ReceivedMessage] = []
        self._arrived = threading.Condition()
        self._sequence = itertools.count(1)

    # Life cycle.

    def start(self) -> SmtpStandin:
        if self.maildir:
            self.maildir.mkdir(parents=True, exist_ok=True)
        self.up()
        return self

    def stop(self) -> None:
        self.down()

    def up(self) -> None:
        """Listen (again) on the same port."""
        if self._controller is not None:
            return
        controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        controller.start()
        self._controller = controller

    def down(self) -> None:
        """Stop listening: connections are refused until ``up()``. Messages received so far are kept."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def fail_with(self, reply: str | None = "451 4.3.0 Mail service temporarily unavailable") -> None:
        """Refuse every message with this SMTP reply (``None``: accept again)."""
        self.refusal = reply

    def mail_config(self) -> dict[str, Any]:
        """Flask-Mail settings that send here."""
        return {
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None,
            "MAIL_PASSWORD": None,
        }

    def __enter__(self) -> SmtpStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # What arrived.

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._arrived:
            return list(self._messages)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """All messages, once at least ``count`` have arrived; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} message(s) within {timeout:g} s, got {len(self._messages)}"
                    )
                self._arrived.wait(remaining)
            return list(self._messages)

    def clear(self) -> None:
        with self._arrived:
            self._messages.clear()

    def _store(self, envelope: Envelope) -> ReceivedMessage:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        received_at = datetime.now(UTC)
        path = None
        if self.maildir:
            path = self.maildir / f"{received_at:%Y%m%dT%H%M%S%f}-{next(self._sequence):05d}.eml"
            path.write_bytes(raw)
        stored = ReceivedMessage(
            # SMTP carries CRLF line ends; the parsed message has Python's own, as a read .eml would.
            message=BytesParser(_class=EmailMessage, policy=policy.default).parsebytes(
                raw.replace(b"\r\n", b"\n")
            ),
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            received_at=received_at,
            raw=raw,
            path=path,
        )
        with self._arrived:
            self._messages.append(stored)
            self._arrived.notify_all()
        log.debug("SMTP stand-in stored a message for %d recipient(s)", len(stored.rcpt_tos))
        return stored


def main() -> None:
    import argparse

    from portal.config import INSTANCE_DIR, load_config

    parser = argparse.ArgumentParser(description="Run the SMTP stand-in until interrupted.")
    parser.add_argument("--port", type=int, default=load_config()["MAIL_PORT"])
    parser.add_argument("--maildir", default=str(INSTANCE_DIR / "mail"))
    args = parser.parse_args()
    with SmtpStandin(port=args.port, maildir=args.maildir) as smtp:
        print(f"SMTP stand-in on {smtp.host}:{smtp.port}, writing .eml files to {smtp.maildir}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
