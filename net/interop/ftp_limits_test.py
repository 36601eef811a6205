#!/usr/bin/env python3
"""The FTP limits of `imagelib serve` against raw sockets and Python's ftplib, as an attacker
holding sessions without logging in would meet them (issue 13):

- sessions from one address are capped (--max-ftp-sessions-per-address) while a client from
  another address is served, and a slot is free again once a session ends;
- a session that does not log in is closed at the login deadline (--ftp-login-timeout), however
  many bytes it trickles meanwhile;
- bytes without an end of line do not reset the idle timer (--ftp-idle-timeout), whole command
  lines do.

Each test waits for the server to act (a reply, a close) with a bound several times the limit
under test and far below the defaults (60 s and 300 s), so an ignored flag fails the test.
"""
import socket
import sys
import time
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context

DEADLINE = 2  # seconds: the limits under test
BOUND = 10 * DEADLINE  # how long a test waits for the server to act


def connect(port, source="127.0.0.1"):
    sock = socket.create_connection(("127.0.0.1", port), timeout=BOUND, source_address=(source, 0))
    return sock, sock.recv(4096).decode()


def trickle_until_closed(sock, line_every=None):
    """Sends one byte every 0.1 s (a whole NOOP line every `line_every` sends if given) until the
    server closes; returns what it sent back. Fails after BOUND seconds."""
    start = time.monotonic()
    received = b""
    sock.settimeout(0.1)
    sent = 0
    while time.monotonic() - start < BOUND:
        try:
            sock.sendall(b"NOOP\r\n" if line_every and sent % line_every == 0 else b"X")
            sent += 1
            chunk = sock.recv(4096)
            if not chunk:
                return received.decode()
            received += chunk
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            return received.decode()
    raise AssertionError(f"the server kept the session for {BOUND} s; it sent {received!r}")


class FtpLimitsTest(unittest.TestCase):
    def serve(self, *args):
        server = Serve(*args).start()
        self.addCleanup(server.__exit__)
        return server

    def test_sessions_from_one_address_are_capped_and_others_are_served(self):
        server = self.serve("--max-ftp-sessions-per-address", "2")
        # The sessions held without a login come from 127.0.0.2, the honest client from 127.0.0.1.
        first, greeting = connect(server.ftp_port, "127.0.0.2")
        self.assertTrue(greeting.startswith("220"), greeting)
        second, greeting = connect(server.ftp_port, "127.0.0.2")
        self.assertTrue(greeting.startswith("220"), greeting)
        third, refused = connect(server.ftp_port, "127.0.0.2")
        self.assertEqual(refused, "421 There are too many connections from your internet address.\r\n")
        self.assertEqual(third.recv(4096), b"")  # and closed
        third.close()

        user, password = server.ftp_login()
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=BOUND)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(user, password)
        ftp.prot_p()
        self.assertEqual(ftp.nlst("incoming"), [])
        ftp.quit()

        # The slot the first session held is free again once the server has seen it close.
        first.close()
        deadline = time.monotonic() + BOUND
        while True:
            again, greeting = connect(server.ftp_port, "127.0.0.2")
            again.close()
            if greeting.startswith("220") or time.monotonic() > deadline:
                break
        self.assertTrue(greeting.startswith("220"), greeting)
        second.close()

    def test_a_session_that_does_not_log_in_is_closed_at_the_deadline(self):
        server = self.serve("--ftp-login-timeout", str(DEADLINE))
        sock, greeting = connect(server.ftp_port)
        self.assertTrue(greeting.startswith("220"), greeting)
        # Whole lines too: USER without PASS, over and over, is not a login.
        received = trickle_until_closed(sock, line_every=3)
        sock.close()
        self.assertTrue(received.endswith("421 Timeout.\r\n"), received)

    def test_bytes_without_an_end_of_line_do_not_hold_an_idle_session(self):
        server = self.serve("--ftp-idle-timeout", str(DEADLINE))
        sock, greeting = connect(server.ftp_port)
        self.assertTrue(greeting.startswith("220"), greeting)
        received = trickle_until_closed(sock)
        sock.close()
        self.assertEqual(received, "421 Timeout.\r\n")

    def test_whole_command_lines_keep_a_logged_in_session(self):
        server = self.serve("--ftp-idle-timeout", str(DEADLINE), "--ftp-login-timeout", str(DEADLINE))
        user, password = server.ftp_login()
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=BOUND)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(user, password)
        ftp.prot_p()
        start = time.monotonic()
        while time.monotonic() - start < 2 * DEADLINE + 1:  # past both limits
            self.assertTrue(ftp.voidcmd("NOOP").startswith("200"))
            time.sleep(DEADLINE / 4)
        self.assertEqual(ftp.nlst("incoming"), [])
        ftp.quit()


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
