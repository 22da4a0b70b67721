"""The SMTP stand-in over real SMTP on 127.0.0.1: what smtplib and Flask-Mail send is kept and read
back, an outage refuses connections and ends on the same port."""

from __future__ import annotations

import smtplib
import threading
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from flask import Flask
from flask_mail import Mail, Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.integrations.smtp import SmtpStandin

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4  # binary, so base64 has to carry it intact


@pytest.fixture
def smtp(tmp_path):
    with SmtpStandin(maildir=tmp_path / "mail") as standin:
        yield standin


def letter(
    subject: str = "Hakemus hyväksytty", body: str = "Hei, hakemuksenne on hyväksytty."
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kanta <noreply@kanta.example>"
    message["To"] = "yhteyshenkilo@example.fi"
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(smtp: SmtpStandin, message: EmailMessage, **kwargs) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=5) as connection:
        connection.send_message(message, **kwargs)


def test_a_message_sent_with_smtplib_is_kept_with_its_envelope(smtp):
    message = letter()
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="päätös.pdf")
    before = datetime.now(UTC)

    send(
        smtp,
        message,
        from_addr="bounce@kanta.example",
        to_addrs=["yhteyshenkilo@example.fi", "arkisto@kela.example"],
    )

    [received] = smtp.wait_for(1)
    assert received.subject == "Hakemus hyväksytty"
    assert received.body().strip() == "Hei, hakemuksenne on hyväksytty."
    assert received.attachments() == [("päätös.pdf", "application/pdf", PDF)]
    assert received.mail_from == "bounce@kanta.example"
    assert received.rcpt_tos == ("yhteyshenkilo@example.fi", "arkisto@kela.example")
    assert received.message["To"] == "yhteyshenkilo@example.fi"  # the second recipient is envelope only
    assert before <= received.received_at <= datetime.now(UTC)


def test_a_message_sent_with_flask_mail_is_kept_with_both_bodies_and_the_attachment(smtp):
    app = Flask(__name__)
    app.config.update(smtp.mail_config(), MAIL_DEFAULT_SENDER="Kanta <noreply@kanta.example>")
    mail = Mail(app)
    with app.app_context():
        message = Message(
            "Liittymisilmoitus vastaanotettu",
            recipients=["yhteyshenkilo@example.fi"],
            body="Kiitos, ilmoitus on vastaanotettu.",
            html="<p>Kiitos, ilmoitus on <strong>vastaanotettu</strong>.</p>",
        )
        message.attach("ilmoitus.pdf", "application/pdf", PDF)
        mail.send(message)

    [received] = smtp.wait_for(1)
    assert received.subject == "Liittymisilmoitus vastaanotettu"
    assert received.message["From"] == "Kanta <noreply@kanta.example>"
    assert received.mail_from == "noreply@kanta.example"
    assert received.rcpt_tos == ("yhteyshenkilo@example.fi",)
    assert received.body("plain").strip() == "Kiitos, ilmoitus on vastaanotettu."
    assert "<strong>vastaanotettu</strong>" in received.body("html")
    assert received.attachments() == [("ilmoitus.pdf", "application/pdf", PDF)]


def test_each_message_is_written_to_the_maildir_as_eml(smtp):
    send(smtp, letter("Ensimmäinen"))
    send(smtp, letter("Toinen"))
    received = smtp.wait_for(2)
    files = sorted(smtp.maildir.glob("*.eml"))
    assert files == sorted(m.path for m in received)
    parsed = [BytesParser(policy=policy.default).parsebytes(f.read_bytes()) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["Ensimmäinen", "Toinen"]


def test_without_a_maildir_nothing_is_written(tmp_path):
    with SmtpStandin() as standin:
        send(standin, letter())
        [received] = standin.wait_for(1)
    assert received.path is None


def test_wait_for_returns_when_a_later_message_arrives(smtp):
    timer = threading.Timer(0.3, send, args=(smtp, letter("Myöhemmin")))
    timer.start()
    try:
        [received] = smtp.wait_for(1, timeout=5)
    finally:
        timer.join()
    assert received.subject == "Myöhemmin"


def test_wait_for_gives_up_after_the_timeout(smtp):
    send(smtp, letter())
    with pytest.raises(TimeoutError, match="expected 2 message"):
        smtp.wait_for(2, timeout=0.2)


def test_clear_forgets_what_arrived(smtp):
    send(smtp, letter())
    smtp.wait_for(1)
    smtp.clear()
    assert smtp.messages == []
    send(smtp, letter("Uusi"))
    assert [m.subject for m in smtp.wait_for(1)] == ["Uusi"]


def test_down_refuses_connections_and_up_comes_back_on_the_same_port(smtp):
    port = smtp.port
    send(smtp, letter("Ennen katkoa"))
    smtp.wait_for(1)

    smtp.down()
    assert not smtp.running
    with pytest.raises(ConnectionRefusedError):
        send(smtp, letter("Katkon aikana"))

    smtp.up()
    assert smtp.running and smtp.port == port
    send(smtp, letter("Katkon jälkeen"))
    assert [m.subject for m in smtp.wait_for(2)] == ["Ennen katkoa", "Katkon jälkeen"]


def test_a_refusing_server_keeps_nothing_until_it_accepts_again(smtp):
    smtp.fail_with("451 4.3.0 Try again later")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(smtp, letter("Hylätty"))
    assert refused.value.smtp_code == 451
    assert smtp.messages == []

    smtp.fail_with(None)
    send(smtp, letter("Hyväksytty"))
    assert [m.subject for m in smtp.wait_for(1)] == ["Hyväksytty"]


def test_stop_and_start_again(tmp_path):
    standin = SmtpStandin().start()
    standin.stop()
    standin.stop()  # stopping twice is harmless
    with pytest.raises(ConnectionRefusedError):
        send(standin, letter())
    standin.start()
    try:
        send(standin, letter())
        assert len(standin.wait_for(1)) == 1
    finally:
        standin.stop()


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=printable.map(str.strip).filter(bool), body=printable)  # a header keeps no outer spaces
def test_any_subject_and_body_arrive_as_sent(smtp, subject, body):
    smtp.clear()
    send(smtp, letter(subject, body))
    [received] = smtp.wait_for(1)
    assert received.subject == subject
    assert received.body().rstrip("\n") == body.rstrip("\n")
