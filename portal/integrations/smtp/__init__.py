"""The local SMTP stand-in (the portal itself sends through Flask-Mail)."""

from portal.integrations.smtp.standin import ReceivedMessage, SmtpStandin

__all__ = ["ReceivedMessage", "SmtpStandin"]
