"""Starts `imagelib serve` on loopback for an interoperability test and stops it by pid.

Used by the scripts beside it. The binary comes from $IMAGELIB_BIN (set by ctest).
Every server gets its own temporary directory, removed at the end.
"""
import ftplib
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

IMAGELIB = os.environ.get("IMAGELIB_BIN", "imagelib")


def tls_context(version=None):
    """A client context that accepts the server's self-signed certificate (loopback only).

    `version` ("1.2" or "1.3") pins the TLS version; None lets the peers pick (TLS 1.3).
    """
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version:
        pinned = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[version]
        context.minimum_version = context.maximum_version = pinned
    return context


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """ftplib resuming the control connection's TLS session on data connections (as curl and lftp do).

    `session_source`, when set, is another TLS socket (another login's control connection) whose
    session the data connections offer instead: the server must refuse them.
    """

    session_source = None

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            session = (self.session_source or self.sock).session
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


class Serve:
    """One `imagelib serve` process; use as a context manager."""

    def __init__(self, *extra_args, data_dir=None):
        self.extra_args = list(extra_args)
        self.own_dir = tempfile.mkdtemp(prefix="imagelib-serve-")
        self.data_dir = data_dir
        self.process = None

    def start(self):
        args = [IMAGELIB, "serve", "--ftp-port", "0", "--api-port", "0"] + self.extra_args
        if self.data_dir:
            args += ["--data-dir", self.data_dir]
        self.log = open(os.path.join(self.own_dir, "serve.log"), "w+")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.clients = []
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.log.seek(0)
                raise RuntimeError("imagelib serve exited: " + self.log.read())
            m = re.match(r"listening (api|ftp) (\S+) (\S+) (\d+)$", line.strip())
            if m:
                if m.group(1) == "api":
                    self.api_scheme, self.host, self.api_port = m.group(2), m.group(3), int(m.group(4))
                else:
                    self.ftp_port = int(m.group(4))
            m = re.match(r"client (\S+) secret (\S+) account (\S+)", line)
            if m:
                self.clients.append({"id": m.group(1), "secret": m.group(2), "account": m.group(3)})
            if line.startswith("# upload"):
                break
        self.api = f"{self.api_scheme}://{self.host}:{self.api_port}"
        return self

    def kill(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, sig)
            self.process.wait(timeout=20)
        if self.process:
            self.process.stdout.close()
            self.log.close()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        shutil.rmtree(self.own_dir, ignore_errors=True)

    # --- the API, through Python's HTTP client (curl is used by the API test itself) ---
    def call(self, method, path, token=None, body=None, basic=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", "Bearer " + token)
        if basic:
            import base64
            request.add_header("authorization", "Basic " + base64.b64encode(basic.encode()).decode())
        try:
            with urllib.request.urlopen(request, context=tls_context(), timeout=30) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, json.loads(text) if text else None

    def token(self, client=0):
        c = self.clients[client]
        status, body = self.call("POST", "/token", body={"grant_type": "client_credentials"},
                                 basic=f"{c['id']}:{c['secret']}")
        assert status == 200, body
        return body["access_token"]

    def ftp_login(self, client=0):
        """(user, password) after a reset of the account's FTP password."""
        account = self.clients[client]["account"]
        status, body = self.call("POST", f"/1.0/accounts/{account}/reset_ftp_password",
                                 token=self.token(client))
        assert status == 200, body
        return account, body["library_ftp_password"]

    def wait_for_image(self, token, image_id, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.call("GET", f"/1.0/images/{image_id}", token=token)
            if body.get("status") != "creating" or time.monotonic() > deadline:
                return body
            time.sleep(0.2)


# --- for the OAuth2 client tests: serve's own certificate, and peers that may be missing ---

SKIPPED = 77  # the exit status ctest reports as skipped (SKIP_RETURN_CODE in net/CMakeLists.txt)


def serve_keeping_certificate(*extra_args):
    """A Serve (not started) with a data directory of its own, where serve writes the self-signed
    certificate it presents (tls/cert.pem: it names 127.0.0.1), so that clients can trust it alone."""
    server = Serve(*extra_args)
    server.data_dir = os.path.join(server.own_dir, "data")
    return server


def certificate_file(server):
    """The PEM certificate of a server made by serve_keeping_certificate, once started."""
    return os.path.join(server.data_dir, "tls", "cert.pem")


def exit_without_peer(what):
    """Ends a test script whose real peer is not installed: a failure under CI=true, where every
    peer must be there (tools/scripts/install-deps.sh), else a skip."""
    in_ci = os.environ.get("CI") == "true"
    print(f"{what} is not installed" + (" (required under CI=true)" if in_ci else ": skipped"))
    sys.exit(1 if in_ci else SKIPPED)
