"""E-mail channel: one multipart (plain text + HTML) message per alert or digest, over SMTP.

Scraped text never reaches the headers: the Subject is made of our own words (severity, what happened, the
rule's title) and the supplier as the operator named it in the config (``render.subject``); the scraped
details are in the body, where the HTML part escapes every value. Message-ID and
X-Supplier-Monitor-Alert-Id carry the alert id(s) so that a resend after a crash can be deduplicated.
The SMTP password is read from the environment variable named in the config and never appears in a log or
an error message.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import TYPE_CHECKING

from monitor.alerts.channels.base import (
    ALERT_ID_HEADER,
    Channel,
    DeliveryError,
    alert_ids_header,
    delivery_key,
    operator_supplier_names,
)
from monitor.alerts.model import Alert
from monitor.alerts.render import clean_text, render_html, render_text, subject
from monitor.config import SmtpConfig

if TYPE_CHECKING:
    from monitor.config import Config

log = logging.getLogger(__name__)
MESSAGE_ID_DOMAIN = "supplier-monitor"


def _valid_address(value: str) -> bool:
    return bool(value) and value == clean_text(value, single_line=True) and "@" in parseaddr(value)[1]


def _server_text(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return clean_text(text, single_line=True, limit=200)


class EmailChannel(Channel):
    """SMTP per ``SmtpConfig`` (starttls | ssl | none); ``ssl_context`` defaults to the system trust store."""

    name = "email"

    def __init__(
        self,
        smtp: SmtpConfig | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        supplier_names: Mapping[str, str] | None = None,
    ) -> None:
        self.smtp = smtp or SmtpConfig()
        self.ssl_context = ssl_context
        #: Supplier id -> the name the operator gave it in the config: the only supplier name a Subject shows.
        self.supplier_names = dict(supplier_names or {})

    @classmethod
    def from_config(cls, config: Config) -> EmailChannel:
        return cls(config.smtp, supplier_names=operator_supplier_names(config))

    def build_message(self, alerts: list[Alert], target: str) -> EmailMessage:
        """The message as it will be sent (exposed so that callers and tests can inspect it)."""
        msg = EmailMessage()
        msg["Subject"] = subject(alerts, supplier_names=self.supplier_names)
        msg["From"] = self.smtp.from_
        msg["To"] = target
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = f"<{delivery_key(alerts)}@{MESSAGE_ID_DOMAIN}>"
        msg[ALERT_ID_HEADER] = alert_ids_header(alerts)
        msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
        msg.set_content(render_text(alerts))
        msg.add_alternative(render_html(alerts), subtype="html")
        return msg

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """Send one mail to ``target`` (an address); raise DeliveryError (permanent when retrying cannot help)."""
        if not alerts:
            return
        smtp = self.smtp
        if not _valid_address(target):
            raise DeliveryError("recipient e-mail address is not a plain address", permanent=True)
        if not _valid_address(smtp.from_):
            raise DeliveryError("smtp.from is not a valid e-mail address", permanent=True)
        password: str | None = None
        if smtp.username:
            password = smtp.password()
            if password is None:
                raise DeliveryError(
                    f"smtp.username is set but the environment variable {smtp.password_env} is empty or unset",
                    permanent=True,
                )
        msg = self.build_message(alerts, target)
        where = f"{smtp.host}:{smtp.port}"
        try:
            self._deliver(msg, target, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP login as {smtp.username!r} at {where} was refused ({exc.smtp_code}); "
                f"check the password in the environment variable {smtp.password_env}",
                permanent=True,
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{code} {_server_text(text)}" for code, text in exc.recipients.values())
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise DeliveryError(f"SMTP server {where} refused the recipient: {detail}", permanent=permanent) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server {where}: {_server_text(str(exc))}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP server {where} answered {exc.smtp_code} {_server_text(exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            reason = clean_text(exc.verify_message or "certificate not trusted", single_line=True, limit=200)
            raise DeliveryError(f"TLS certificate of {where} rejected: {reason}", permanent=True) from None
        except smtplib.SMTPException as exc:  # disconnected mid-session and the like
            raise DeliveryError(f"SMTP session with {where} failed: {_server_text(str(exc))}") from None
        except (OSError, EOFError) as exc:  # refused, timed out, DNS, TLS handshake
            reason = clean_text(exc.strerror or type(exc).__name__, single_line=True, limit=100)
            raise DeliveryError(f"cannot reach SMTP server {where}: {reason}") from None
        log.info("mailed %d alert(s) to %s via %s", len(alerts), recipient, where)

    def _deliver(self, msg: EmailMessage, target: str, password: str | None) -> None:
        smtp = self.smtp
        timeout = smtp.timeout.total_seconds()
        context = self.ssl_context or ssl.create_default_context()
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        try:
            if smtp.security == "starttls":
                client.starttls(context=context)  # raises SMTPNotSupportedError rather than sending in clear
                client.ehlo()
            if smtp.username and password is not None:
                client.login(smtp.username, password)
            client.send_message(msg, from_addr=parseaddr(smtp.from_)[1], to_addrs=[target])
        finally:
            # The mail is accepted once DATA is answered; a failing QUIT must not turn that into a resend.
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
