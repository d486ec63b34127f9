#!/usr/bin/env python3
"""A real SMTP server for Mailer tests: aiosmtpd on 127.0.0.1 with STARTTLS and AUTH PLAIN/LOGIN.

    smtp_sink.py --port 0 --maildir DIR --cert CERT --key KEY --user U --password P
                 [--tls starttls|implicit] [--reject-rcpt] [--rcpt-reply R] [--data-reply R] [--size-limit N]

--port 0 picks a free port. When listening it prints exactly one line on stdout,
    READY <port>
and flushes, so a harness reads one line and knows where to connect (no port race).
Each accepted message is written as DIR/<n>.eml: the DATA bytes exactly as received
(after the server undid dot-stuffing), nothing added. DIR/<n>.json has the envelope and what Python's
own email parser reads in the message (decoded subject, addresses, date, Message-ID, each part's
type, encoding and decoded text), so the tests check Croft's MIME with an independent reader.
Used by CroftTesting's SMTPSink; Tests/smtp/setup.sh makes the venv with aiosmtpd.
--tls starttls (default): plain TCP, STARTTLS required before AUTH/MAIL (smtp://, port 587 style).
--tls implicit: TLS from the first byte (smtps://, port 465 style).
--reject-rcpt answers "550 5.1.1 Mailbox unavailable" to every RCPT TO (a permanent failure);
--rcpt-reply / --data-reply answer any given reply instead, e.g. "451 4.3.0 Try again later" (transient).
Stops on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import warnings
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir: str, rcpt_reply, data_reply):
        self.maildir = maildir
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.count += 1
        base = os.path.join(self.maildir, f"{self.count:04d}")
        # original_content: the bytes the client sent, dot-stuffing removed, nothing added.
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        # Headers decoded as RFC 2047 says (whitespace between adjacent encoded words ignored), which
        # policy.default's address parser does not do; from the raw (compat32) values.
        raw = BytesParser(policy=policy.compat32).parsebytes(envelope.original_content)

        def decoded(name):
            value = raw[name]
            return str(make_header(decode_header(value))) if value is not None else ""
        parts = []
        for part in parsed.walk():
            if part.is_multipart():
                continue
            parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                          "encoding": part.get("Content-Transfer-Encoding"), "text": part.get_content()})
        summary = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                   "mail_options": envelope.mail_options,
                   "login": session.auth_data.login.decode() if session.auth_data else None,
                   "tls": server.transport.get_extra_info("ssl_object") is not None,
                   "subject": decoded("Subject"), "from": decoded("From"), "to": decoded("To"),
                   "date": str(parsed["Date"]), "message_id": str(parsed["Message-ID"]),
                   "content_type": parsed.get_content_type(), "defects": [str(d) for d in parsed.defects],
                   "parts": parts}
        with open(base + ".json.tmp", "w") as f:
            json.dump(summary, f)
        # The .json last: a reader that sees it sees a whole message (each file is renamed into place).
        os.replace(base + ".eml.tmp", base + ".eml")
        os.replace(base + ".json.tmp", base + ".json")
        return "250 Message accepted for delivery"


def make_authenticator(user: str, password: str):
    expected = LoginPassword(user.encode(), password.encode())

    def authenticate(server, session, envelope, mechanism, auth_data):
        if mechanism in ("PLAIN", "LOGIN") and auth_data == expected:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False makes aiosmtpd answer "535 5.7.8"; the default (handled=True) answers nothing.
        return AuthResult(success=False, handled=False)

    return authenticate


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--maildir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--tls", choices=["starttls", "implicit"], default="starttls")
    p.add_argument("--reject-rcpt", action="store_true")
    p.add_argument("--rcpt-reply")
    p.add_argument("--data-reply")
    p.add_argument("--size-limit", type=int, default=10 * 1024 * 1024)
    args = p.parse_args()
    # A child of Foundation's Process inherits the spawning thread's blocked signals (libdispatch blocks
    # them in its threads): unblock them, or SIGTERM would never arrive.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    # aiosmtpd itself sets the deprecated session.login_data and warns about it on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    os.makedirs(args.maildir, exist_ok=True)

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    rcpt_reply = args.rcpt_reply or ("550 5.1.1 Mailbox unavailable" if args.reject_rcpt else None)
    handler = Sink(args.maildir, rcpt_reply, args.data_reply)
    implicit = args.tls == "implicit"
    authenticator = make_authenticator(args.user, args.password)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(handler, hostname="localhost",
                    tls_context=None if implicit else tls, require_starttls=not implicit,
                    # aiosmtpd's auth_require_tls only recognises STARTTLS; with implicit TLS every byte is
                    # already encrypted, so it is switched off there (and its warning silenced below).
                    auth_required=True, auth_require_tls=not implicit, authenticator=authenticator,
                    data_size_limit=args.size_limit, loop=loop)

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port,
                                      ssl=tls if implicit else None)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
