"""A real SMTP server for tests (aiosmtpd), on 127.0.0.1 and a free port,
collecting what it receives. Tests start and stop it; stop() then start()
on the same port simulates a relay that was down."""

import email
import email.policy
import socket
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SmtpSink:
    def __init__(self, port=None):
        from aiosmtpd.controller import Controller  # noqa: F401 (checked by available())
        self.port = port or free_port()
        self.messages = []  # (envelope from, [rcpt], email.message.EmailMessage, raw bytes)
        self.lock = threading.Lock()
        self.controller = None

    @staticmethod
    def available():
        try:
            import aiosmtpd.controller  # noqa: F401
            return True
        except ImportError:
            return False

    def start(self):
        from aiosmtpd.controller import Controller
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                               policy=email.policy.default)
                with sink.lock:
                    sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg,
                                          envelope.original_content or envelope.content))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m[1]]

    def wait_for(self, address, count=1, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.to(address)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.to(address)
