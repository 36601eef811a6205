"""golang.org/x/oauth2's clientcredentials flow (as gobrightbox and the Terraform provider use it)
against `imagelib serve`.

Builds go_oauth2/main.go with Debian's Go (golang-go, golang-golang-x-oauth2-dev: GOPATH mode,
no network, a temporary GOCACHE) and runs it with AuthStyleInHeader and AuthStyleInParams: a token
from https://127.0.0.1:PORT/token/, then GET /1.0/images and /1.0/account with the http.Client
clientcredentials gives, trusting serve's own certificate only. Starts its own server on 127.0.0.1
and stops it by pid. Without a Go toolchain: skipped, or a failure under CI=true. Run:
IMAGELIB_BIN=build/tools/imagelib python3 go_oauth2_test.py
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from serve_fixture import certificate_file, exit_without_peer, serve_keeping_certificate

HERE = os.path.dirname(os.path.abspath(__file__))
GO = shutil.which("go")
DEBIAN_GOPATH = "/usr/share/gocode"


class GoOauth2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="imagelib-go-oauth2-")
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cls.program = os.path.join(cls.work, "go_oauth2")
        env = dict(os.environ, GO111MODULE="off", GOFLAGS="", GOPROXY="off",
                   GOPATH=os.path.join(cls.work, "gopath") + os.pathsep + DEBIAN_GOPATH,
                   GOCACHE=os.path.join(cls.work, "gocache"))
        build = subprocess.run([GO, "build", "-o", cls.program, os.path.join(HERE, "go_oauth2", "main.go")],
                               env=env, capture_output=True, text=True, timeout=300)
        if build.returncode != 0:
            raise RuntimeError("go build failed:\n" + build.stderr)
        cls.server = serve_keeping_certificate()
        cls.addClassCleanup(cls.server.__exit__)
        cls.server.start()

    def run_go(self, *args, client=0, secret=None, account=None):
        c = self.server.clients[client]
        command = [self.program, "-api", self.server.api, "-ca", certificate_file(self.server),
                   "-client-id", c["id"], "-client-secret", secret or c["secret"],
                   "-account", account or c["account"], *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def expect_login(self, *args, auth_style):
        result = self.run_go("-auth-style", auth_style, *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, rf"^ok auth-style={auth_style} images=\d+ account=acc-\S+ "
                                        r"expires_in=(7200|71\d\d)s")  # a token's 7200 s

    def test_auth_style_in_header(self):
        self.expect_login(auth_style="header")

    def test_auth_style_in_params_with_a_scope(self):
        self.expect_login("-scope", "infrastructure", auth_style="params")

    def test_token_url_without_the_trailing_slash(self):
        self.expect_login("-token-path", "/token", auth_style="header")

    def test_wrong_secret_is_invalid_client_in_both_styles(self):
        for style in ["header", "params"]:
            result = self.run_go("-auth-style", style, secret="wrong")
            self.assertEqual(result.returncode, 1, result.stdout)
            self.assertIn("invalid_client", result.stderr)

    def test_the_account_check_of_the_program_can_fail(self):
        result = self.run_go("-auth-style", "header", account="acc-nobody")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("GET /1.0/account: id acc-", result.stderr)


if __name__ == "__main__":
    if GO is None:
        exit_without_peer("the Go toolchain (golang-go)")
    if not os.path.isdir(os.path.join(DEBIAN_GOPATH, "src", "golang.org", "x", "oauth2")):
        exit_without_peer("golang.org/x/oauth2 (golang-golang-x-oauth2-dev)")
    unittest.main()
