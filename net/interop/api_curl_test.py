"""The JSON API of `imagelib serve` with curl: token, register, list, update, destroy, errors.

Starts its own server on 127.0.0.1 and stops it by pid. Run:
IMAGELIB_BIN=build/tools/imagelib python3 api_curl_test.py
"""
import io
import json
import os
import resource
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context


class ApiCurlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Serve().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        cls.server.__exit__()

    def curl(self, method, path, body=None, token=None, user=None, raw=None):
        args = ["curl", "-sk", "-X", method, "-w", "\n%{http_code}", "-H", "content-type: application/json"]
        if token:
            args += ["-H", f"authorization: Bearer {token}"]
        if user:
            args += ["-u", user]
        if body is not None:
            args += ["--data-binary", json.dumps(body)]
        if raw is not None:
            args += ["--data-binary", "@-"]
        result = subprocess.run(args + [self.server.api + path], capture_output=True, timeout=60,
                                input=raw)
        self.assertEqual(result.returncode, 0, result.stderr)
        text, _, status = result.stdout.decode().rpartition("\n")
        return int(status), (json.loads(text) if text else None)

    def token(self, client=0):
        c = self.server.clients[client]
        status, body = self.curl("POST", "/token", {"grant_type": "client_credentials"},
                                 user=f"{c['id']}:{c['secret']}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        return body["access_token"]

    def upload(self, client, name, content):
        user, password = self.server.ftp_login(client)
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=30)
        ftp.connect("127.0.0.1", self.server.ftp_port)
        ftp.login(user, password)
        ftp.prot_p()
        ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(content))
        ftp.quit()

    def test_token_errors(self):
        status, body = self.curl("POST", "/token", {"grant_type": "client_credentials"},
                                 user="cli-nobody:wrong")
        self.assertEqual(status, 401)
        self.assertEqual(body["error"], "invalid_client")
        status, body = self.curl("GET", "/1.0/images")
        self.assertEqual(status, 401)
        status, body = self.curl("GET", "/1.0/images", token="not-a-token")
        self.assertEqual(status, 401)

    def test_image_lifecycle(self):
        token = self.token()
        content = os.urandom(2 * 1024 * 1024)
        self.upload(0, "lifecycle.img", content)
        status, image = self.curl("POST", "/1.0/images", {"arch": "x86_64", "source": "lifecycle.img",
                                                           "name": "Life"}, token=token)
        self.assertEqual(status, 201, image)
        self.assertEqual(image["status"], "creating")
        self.assertTrue(image["url"].startswith(self.server.api))
        image = self.server.wait_for_image(token, image["id"])
        self.assertEqual(image["status"], "available")
        self.assertEqual(image["virtual_size"], 2)

        status, listed = self.curl("GET", "/1.0/images", token=token)
        self.assertEqual(status, 200)
        self.assertIn(image["id"], [i["id"] for i in listed])
        other = self.token(1)
        status, _ = self.curl("GET", f"/1.0/images/{image['id']}", token=other)
        self.assertEqual(status, 404)  # private to its owner

        status, updated = self.curl("PUT", f"/1.0/images/{image['id']}",
                                    {"name": "Renamed", "public": True}, token=token)
        self.assertEqual(status, 200, updated)
        self.assertEqual(updated["name"], "Renamed")
        status, seen = self.curl("GET", f"/1.0/images/{image['id']}", token=other)
        self.assertEqual(status, 200)

        status, locked = self.curl("PUT", f"/1.0/images/{image['id']}/lock_resource", token=token)
        self.assertEqual(status, 200)
        status, body = self.curl("DELETE", f"/1.0/images/{image['id']}", token=token)
        self.assertEqual(status, 409)
        self.assertEqual(body["error_name"], "resource_conflict")
        self.curl("PUT", f"/1.0/images/{image['id']}/unlock_resource", token=token)
        status, _ = self.curl("DELETE", f"/1.0/images/{image['id']}", token=token)
        self.assertEqual(status, 202)
        status, body = self.curl("GET", f"/1.0/images/{image['id']}", token=token)
        self.assertEqual(status, 404)
        self.assertEqual(body["error_name"], "missing_resource")

    def test_request_errors(self):
        token = self.token()
        status, body = self.curl("POST", "/1.0/images", {"arch": "sparc", "source": "x"}, token=token)
        self.assertEqual(status, 422)
        self.assertEqual(body["error_name"], "unprocessable_entity")
        status, body = self.curl("POST", "/1.0/images", token=token, raw=b"{not json")
        self.assertEqual(status, 400)
        status, body = self.curl("POST", "/1.0/images", token=token, raw=b"x" * (2 * 1024 * 1024))
        self.assertEqual(status, 413)
        status, body = self.curl("GET", "/1.0/images/img-zzzzz", token=token)
        self.assertEqual(status, 404)
        # the server still answers after all of that
        status, _ = self.curl("GET", "/1.0/account", token=token)
        self.assertEqual(status, 200)

    def test_hostile_bodies_are_refused_and_do_not_poison_the_journal(self):
        deep = "[" * 65000 + "1" + "]" * 65000
        data_dir = tempfile.mkdtemp(prefix="imagelib-hostile-")
        with Serve(data_dir=data_dir) as server:
            token = server.token()
            c = server.clients[0]
            for path, body, auth in (
                    ("/1.0/images", '{"arch":"x86_64","source":"x","description":' + deep + "}",
                     ["-H", f"authorization: Bearer {token}"]),
                    ("/token", '{"grant_type":' + deep + "}", ["-u", f"{c['id']}:{c['secret']}"]),
                    ("/1.0/images", '{"arch":"x86_64","source":"x","min_ram":1e999999}',
                     ["-H", f"authorization: Bearer {token}"])):
                result = subprocess.run(
                    ["curl", "-sk", "-w", "\n%{http_code}", "-H", "content-type: application/json", *auth,
                     "--data-binary", "@-", server.api + path], input=body.encode(), capture_output=True,
                    timeout=60)
                text, _, status = result.stdout.decode().rpartition("\n")
                self.assertEqual(status, "400", text[:300])
                self.assertEqual(json.loads(text)["error_name" if path != "/token" else "error"],
                                 "bad_request" if path != "/token" else "invalid_request")
            server.kill(signal.SIGKILL)
        # The journal replays what it took without crashing: the server starts and answers.
        with Serve(data_dir=data_dir) as again:
            status, _ = again.call("GET", "/1.0/account", token=again.token())
            self.assertEqual(status, 200)
        shutil.rmtree(data_dir, ignore_errors=True)

    def test_transfer_encoding_other_than_chunked_closes_the_connection(self):
        smuggled = (b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                    b"Content-Type: application/json\r\n\r\n"
                    b"GET /1.0/images HTTP/1.1\r\nHost: x\r\n\r\n")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", self.server.api_port), timeout=30) as raw:
            with context.wrap_socket(raw) as tls:
                tls.sendall(smuggled)
                answer = b""
                while chunk := tls.recv(65536):
                    answer += chunk
        # One answer, then the connection closed: the body never ran as a request.
        self.assertEqual(answer.count(b"HTTP/1.1 "), 1, answer)
        self.assertTrue(answer.startswith(b"HTTP/1.1 501 "), answer)
        self.assertIn(b"Transfer-Encoding gzip", answer)

    def test_idle_and_slow_sockets_do_not_lock_clients_out(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
        silent = [socket.create_connection(("127.0.0.1", self.server.api_port), timeout=30)
                  for _ in range(1000)]
        slow = [socket.create_connection(("127.0.0.1", self.server.api_port), timeout=30)
                for _ in range(100)]
        try:
            for s in slow:
                s.sendall(b"\x16")  # the first byte of a TLS handshake, and nothing more
            # More sockets than the server's 256 connections wait in silence: an honest
            # client is still answered, again and again.
            token = self.token()
            for _ in range(3):
                status, body = self.curl("GET", "/1.0/account", token=token)
                self.assertEqual(status, 200, body)
        finally:
            for s in silent + slow:
                s.close()


if __name__ == "__main__":
    unittest.main()
