#!/usr/bin/env python3
"""A hostile-input run against `imagelib serve --data-dir` (issue 13, SPEC §6): for DURATION
seconds attackers on 127.0.0.2 send, all at once, garbage and overlong lines to FTP before and
after TLS, command injection and path traversal after a real login, JSON bombs, huge numbers,
oversized bodies and smuggling to the API with a real token, slowloris headers, client-secret
guessing, and hundreds of idle sockets. Meanwhile an honest client on 127.0.0.1 lists its images
and uploads and downloads files over FTPS (Python's ftplib), and must be served every time
within a bound. Then serve must still run, survive a SIGKILL, restart without --repair and hold
every honest upload.
"""
import base64
import ftplib
import io
import os
import random
import resource
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context

ATTACKER = "127.0.0.2"
DURATION = float(os.environ.get("IMAGELIB_HOSTILE_SECONDS", "15"))
API_BOUND = 5    # seconds for an honest API answer
FTP_BOUND = 15   # seconds for an honest upload and download of 256 KiB


def raw_tls(sock):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(sock)


class Attack(threading.Thread):
    """Runs `step` over and over until the run ends; every error is the server refusing."""

    def __init__(self, run, step):
        super().__init__(daemon=True)
        self.run_state, self.step, self.rounds = run, step, 0

    def run(self):
        rng = random.Random(self.name)
        while not self.run_state.over.is_set():
            try:
                self.step(rng)
            except (EOFError, ValueError, *ftplib.all_errors):  # the server refused or closed
                time.sleep(0.01)
            self.rounds += 1


class HostileRun:
    def __init__(self, server, attacker_login, attacker_token):
        self.server, self.login, self.token = server, attacker_login, attacker_token
        self.over = threading.Event()

    def connect(self, port):
        return socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(ATTACKER, 0))

    def ftp_garbage_before_tls(self, rng):
        with self.connect(self.server.ftp_port) as sock:
            sock.recv(4096)
            sock.sendall(rng.randbytes(rng.randrange(1, 9000)))
            sock.sendall(b"A" * 6000 + b"\r\n" + b"USER x\r\n" * 50 + b"\xff\xf4\xff\xfd\x06")
            sock.recv(65536)

    def ftp_garbage_after_tls(self, rng):
        with self.connect(self.server.ftp_port) as sock:
            sock.recv(4096)
            sock.sendall(b"AUTH TLS\r\n")
            sock.recv(4096)
            with raw_tls(sock) as tls:
                tls.sendall(b"B" * 5000 + b"\r\n" + rng.randbytes(2000) + b"\r\nPASS x\r\n")
                tls.recv(65536)

    def ftp_injection_after_login(self, rng):
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=5)
        ftp.connect("127.0.0.1", self.server.ftp_port, source_address=(ATTACKER, 0))
        try:
            ftp.login(*self.login)
            ftp.prot_p()
            for line in ("CWD ../../..", "RETR ../../../etc/passwd", "DELE ../images/x",
                         "RNFR incoming/a\r\nRNTO /etc/x", "SITE EXEC /bin/sh", "MKD incoming/../../x",
                         "STOR incoming/%2e%2e/x", "LIST -la /", "NLST \x00", "REST -5", "TYPE Z"):
                try:
                    ftp.sendcmd(line)
                except ftplib.all_errors:
                    pass
        finally:
            ftp.close()

    def json_bombs(self, rng):
        nested = "[" * rng.choice([65, 1000, 70000]) + "]" * 3
        bodies = [
            '{"description": ' + nested + "}",
            '{"name": 1e999999, "arch": "x86_64", "source": "x"}',
            '{"name": "' + "x" * (2 * 1024 * 1024) + '"}',
        ]
        with self.connect(self.server.api_port) as sock, raw_tls(sock) as tls:
            body = rng.choice(bodies).encode()
            tls.sendall(b"POST /1.0/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + self.token.encode() +
                        b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                        b"\r\n\r\n" + body)
            tls.recv(65536)
        with self.connect(self.server.api_port) as sock, raw_tls(sock) as tls:
            tls.sendall(b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nGET / HTTP/1.1\r\n\r\n")
            tls.recv(65536)

    def secret_guessing(self, rng):
        with self.connect(self.server.api_port) as sock, raw_tls(sock) as tls:
            body = b'{"grant_type":"client_credentials"}'
            auth = base64.b64encode(f"{self.server.clients[0]['id']}:{rng.random()}".encode())
            tls.sendall(b"POST /token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + auth +
                        b"\r\nContent-Type: application/json\r\nContent-Length: 35\r\n\r\n" + body)
            tls.recv(65536)

    def slowloris(self, rng):
        socks = [self.connect(self.server.api_port) for _ in range(20)]
        try:
            for _ in range(10):
                for sock in socks:
                    sock.send(b"\x16")
                if self.over.wait(0.5):
                    break
        finally:
            for sock in socks:
                sock.close()

    def idle_sockets(self, rng):
        socks = []
        try:
            for port in (self.server.api_port, self.server.ftp_port):
                for _ in range(300):
                    socks.append(self.connect(port))
            self.over.wait(DURATION)
        finally:
            for sock in socks:
                sock.close()


class HostileRunTest(unittest.TestCase):
    def test_an_honest_client_is_served_throughout_and_nothing_needs_repair(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
        data_dir = tempfile.mkdtemp(prefix="imagelib-hostile-")
        self.addCleanup(shutil.rmtree, data_dir, True)
        server = Serve(data_dir=data_dir).start()
        self.addCleanup(server.__exit__)
        honest_login = server.ftp_login(0)
        honest_token = server.token(0)
        run = HostileRun(server, server.ftp_login(1), server.token(1))
        steps = [run.ftp_garbage_before_tls, run.ftp_garbage_after_tls, run.ftp_injection_after_login,
                 run.json_bombs, run.secret_guessing, run.slowloris, run.idle_sockets]
        attacks = [Attack(run, step) for step in steps for _ in range(2)]
        for attack in attacks:
            attack.start()

        uploaded, api_worst, ftp_worst = {}, 0.0, 0.0
        deadline = time.monotonic() + DURATION
        while time.monotonic() < deadline:
            start = time.monotonic()
            status, listed = server.call("GET", "/1.0/images", token=honest_token)
            self.assertEqual(status, 200, listed)
            api_worst = max(api_worst, time.monotonic() - start)
            start = time.monotonic()
            name = f"honest-{len(uploaded)}.img"
            content = os.urandom(256 * 1024)
            ftp = ReusingFTP_TLS(context=tls_context(), timeout=FTP_BOUND)
            ftp.connect("127.0.0.1", server.ftp_port)
            ftp.login(*honest_login)
            ftp.prot_p()
            ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(content))
            got = bytearray()
            ftp.retrbinary(f"RETR incoming/{name}", got.extend)
            ftp.quit()
            self.assertEqual(bytes(got), content)
            uploaded[name] = content
            ftp_worst = max(ftp_worst, time.monotonic() - start)
        run.over.set()
        for attack in attacks:
            attack.join(timeout=30)
        print(f"hostile run: {DURATION:.0f} s, {sum(a.rounds for a in attacks)} attack rounds, "
              f"{len(uploaded)} honest transfers; worst honest API answer {api_worst:.2f} s, "
              f"worst honest upload+download {ftp_worst:.2f} s", file=sys.stderr)
        self.assertLess(api_worst, API_BOUND)
        self.assertLess(ftp_worst, FTP_BOUND)
        self.assertGreater(len(uploaded), 0)

        self.assertIsNone(server.process.poll(), "serve died during the run")
        server.kill(signal.SIGKILL)
        server.start()  # no --repair
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=30)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(*honest_login)
        ftp.prot_p()
        for name, content in uploaded.items():
            self.assertEqual(ftp.size(f"incoming/{name}"), len(content), name)
        ftp.quit()


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
