#!/usr/bin/env python3
"""Failed logins and token requests per address (SPEC §6, issue 13) against real clients: Python's
ftplib for FTP and curl for POST /token. An address that keeps failing waits longer for each
answer (1 s, doubling, from --login-delay-after failures on), then is refused (FTP 421 at connect,
API 429 with Retry-After) once it reaches --max-failed-logins. FTP and API failures add up. The
attacker's address is 127.0.0.2; an honest client from 127.0.0.1 is served throughout.

Delays are checked as lower bounds only (an answer that came sooner than the delay is a failure;
a slow machine cannot make the test fail).
"""
import ftplib
import json
import shutil
import subprocess
import sys
import time
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context

ATTACKER = "127.0.0.2"
HONEST = "127.0.0.1"
TIMEOUT = 30


def ftp_session(server, source):
    ftp = ReusingFTP_TLS(context=tls_context(), timeout=TIMEOUT)
    greeting = ftp.connect("127.0.0.1", server.ftp_port, source_address=(source, 0))
    return ftp, greeting


def failed_login_seconds(ftp, user):
    """Seconds until a wrong password's 530; fails if the password was accepted."""
    start = time.monotonic()
    try:
        ftp.login(user, "not-the-password")
    except ftplib.error_perm as error:
        assert str(error).startswith("530"), error
        return time.monotonic() - start
    raise AssertionError("a wrong password was accepted")


def token_request(server, client, secret, source):
    """(status, headers, body, seconds) of POST /token through curl from `source`."""
    start = time.monotonic()
    out = subprocess.run(
        ["curl", "-sk", "--interface", source, "-D", "-", "-u", f"{client}:{secret}",
         "-H", "content-type: application/json", "-d", '{"grant_type":"client_credentials"}',
         f"{server.api}/token"],
        capture_output=True, timeout=TIMEOUT, check=True).stdout.decode()
    seconds = time.monotonic() - start
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body), seconds


class LoginThrottleTest(unittest.TestCase):
    def serve(self, *args):
        server = Serve(*args).start()
        self.addCleanup(server.__exit__)
        return server

    def assert_honest_ftp_client_is_served(self, server, user, password):
        ftp, greeting = ftp_session(server, HONEST)
        self.assertTrue(greeting.startswith("220"), greeting)
        ftp.login(user, password)
        ftp.prot_p()
        self.assertEqual(ftp.nlst("incoming"), [])
        ftp.quit()

    def test_failed_ftp_logins_slow_then_refuse_that_address_only(self):
        server = self.serve("--login-delay-after", "2", "--max-failed-logins", "5")
        user, password = server.ftp_login()

        # Three failures, the session's own limit: it is closed after the third.
        ftp, _ = ftp_session(server, ATTACKER)
        for _ in range(3):
            failed_login_seconds(ftp, user)
        with self.assertRaises((EOFError, OSError, ftplib.Error)):
            ftp.voidcmd("NOOP")
        ftp.close()

        # A new session from the same address inherits its failures: 3 past the threshold of 2
        # is a delay of 2 s for each failure.
        ftp, greeting = ftp_session(server, ATTACKER)
        self.assertTrue(greeting.startswith("220"), greeting)
        self.assertGreaterEqual(failed_login_seconds(ftp, user), 2)
        self.assert_honest_ftp_client_is_served(server, user, password)
        self.assertGreaterEqual(failed_login_seconds(ftp, user), 2)
        ftp.close()

        # Five failures: the address is refused at connect, with how long to wait.
        with self.assertRaises(ftplib.error_temp) as refused:
            ftp_session(server, ATTACKER)
        self.assertRegex(str(refused.exception),
                         r"^421 Too many failed logins from your internet address; try again in \d+ seconds\.$")
        # FTP failures count for the API too; the honest address keeps both.
        status, headers, body, _ = token_request(server, server.clients[0]["id"], server.clients[0]["secret"], ATTACKER)
        self.assertEqual(status, 429, body)
        self.assert_honest_ftp_client_is_served(server, user, password)
        status, _, body, _ = token_request(server, server.clients[0]["id"], server.clients[0]["secret"], HONEST)
        self.assertEqual(status, 200, body)

    def test_failed_token_requests_slow_then_answer_429(self):
        server = self.serve("--login-delay-after", "2", "--max-failed-logins", "4")
        client, secret = server.clients[0]["id"], server.clients[0]["secret"]
        seconds = []
        for _ in range(4):
            status, _, body, took = token_request(server, client, "wrong-secret", ATTACKER)
            self.assertEqual((status, body["error"]), (401, "invalid_client"), body)
            seconds.append(took)
        # The 3rd waited for 2 failures (1 s), the 4th for 3 (2 s).
        self.assertGreaterEqual(seconds[2], 1)
        self.assertGreaterEqual(seconds[3], 2)

        # Four failures: refused, even with the right secret, and told when to come back.
        status, headers, body, _ = token_request(server, client, secret, ATTACKER)
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error_name"], "too_many_requests")
        self.assertGreater(int(headers["retry-after"]), 0)
        self.assertLessEqual(int(headers["retry-after"]), 600)
        # Another address is answered at once and in full.
        status, _, body, _ = token_request(server, client, secret, HONEST)
        self.assertEqual(status, 200, body)
        self.assertIn("access_token", body)

    def test_an_address_is_forgiven_after_a_quiet_window(self):
        server = self.serve("--login-delay-after", "1", "--max-failed-logins", "1", "--failed-login-window", "2")
        client, secret = server.clients[0]["id"], server.clients[0]["secret"]
        self.assertEqual(token_request(server, client, "wrong-secret", ATTACKER)[0], 401)
        self.assertEqual(token_request(server, client, secret, ATTACKER)[0], 429)
        deadline = time.monotonic() + TIMEOUT
        while True:
            status = token_request(server, client, secret, ATTACKER)[0]
            if status != 429 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(status, 200)


if __name__ == "__main__":
    if shutil.which("curl") is None:
        sys.exit("curl is missing (tools/scripts/install-deps.sh installs it)")
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
