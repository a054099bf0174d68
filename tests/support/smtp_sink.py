#!/usr/bin/env python3
"""A local SMTP server for tests (Debian python3-aiosmtpd): it accepts every message and
writes each one, decoded, into a directory of its own under OUT_DIR, so a test reads what a
real mail client would show.

    smtp_sink.py OUT_DIR PORT_FILE

Listens on a free loopback port and writes "<port> <port>" to PORT_FILE once it accepts
connections (the format tests/support/process.h's WaitForPorts reads). Each message becomes
OUT_DIR/NNNNNN/ with the files mail_from, rcpt_to (one a line), subject, body, message_id and
raw.eml; the directory appears whole (written aside, then renamed), so a reader counting
directories never sees half a message.

Recipients whose local part starts with "refused" are answered 550 (a permanent refusal),
those starting with "busy" 451 (try again later). A message to one starting with "vanish" is
kept and then the connection is dropped without answering its final "." (the client cannot
know whether it was accepted)."""

import asyncio
import email
import email.policy
import os
import socket
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("refused"):
            return "550 5.1.1 no such user"
        if local.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%06d" % self.count
        staging = os.path.join(self.out_dir, "." + name)
        os.makedirs(staging)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        files = {
            "mail_from": envelope.mail_from,
            "rcpt_to": "\n".join(envelope.rcpt_tos),
            "subject": str(message["subject"] or ""),
            "from": str(message["from"] or ""),
            "to": str(message["to"] or ""),
            "message_id": str(message["message-id"] or ""),
            "body": message.get_content(),
        }
        for key, value in files.items():
            with open(os.path.join(staging, key), "w", encoding="utf-8") as f:
                f.write(value)
        with open(os.path.join(staging, "raw.eml"), "wb") as f:
            f.write(raw)
        os.rename(staging, os.path.join(self.out_dir, name))
        if any(r.split("@", 1)[0].startswith("vanish") for r in envelope.rcpt_tos):
            server.transport.abort()
        return "250 Message accepted for delivery"


async def main(out_dir, port_file):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    sink = Sink(out_dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, enable_SMTPUTF8=True, decode_data=False), sock=listener
    )
    port = listener.getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (port, port))
    os.rename(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
