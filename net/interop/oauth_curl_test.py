"""POST /token with curl as OAuth2 clients send it: a form (-d grant_type=client_credentials) and a
JSON body, at /token and /token/, credentials by -u or in the form; and curl's answers to a wrong
grant type, a bad form and another content type.

Trusts serve's own certificate (--cacert). Starts its own server on 127.0.0.1 and stops it by pid.
Run: IMAGELIB_BIN=build/tools/imagelib python3 oauth_curl_test.py
"""
import json
import subprocess
import unittest

from serve_fixture import certificate_file, serve_keeping_certificate


class OauthCurlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = serve_keeping_certificate()
        cls.addClassCleanup(cls.server.__exit__)
        cls.server.start()
        cls.client = cls.server.clients[0]

    def curl(self, path, *args):
        """(status, parsed JSON body) of curl `args` on `path`."""
        command = ["curl", "-s", "--cacert", certificate_file(self.server), "-w", "\n%{http_code}", *args,
                   self.server.api + path]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        text, _, status = result.stdout.rpartition("\n")
        return int(status), json.loads(text)

    def basic(self):
        return ["-u", f"{self.client['id']}:{self.client['secret']}"]

    def expect_token_opens_the_api(self, status, body):
        self.assertEqual(status, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        status, account = self.curl("/1.0/account", "-H", "authorization: Bearer " + body["access_token"])
        self.assertEqual(status, 200, account)
        self.assertEqual(account["id"], self.client["account"])

    def test_form_body(self):
        for path in ["/token", "/token/"]:
            with self.subTest(path=path):
                self.expect_token_opens_the_api(*self.curl(path, *self.basic(), "-d", "grant_type=client_credentials"))

    def test_json_body(self):
        for path in ["/token", "/token/"]:
            with self.subTest(path=path):
                self.expect_token_opens_the_api(*self.curl(
                    path, *self.basic(), "-H", "content-type: application/json",
                    "-d", '{"grant_type":"client_credentials"}'))

    def test_credentials_in_the_form(self):
        self.expect_token_opens_the_api(*self.curl(
            "/token/", "-d", "grant_type=client_credentials", "-d", "client_id=" + self.client["id"],
            "-d", "client_secret=" + self.client["secret"]))

    def test_wrong_grant_type_is_unauthorized_client(self):
        status, body = self.curl("/token/", *self.basic(), "-d", "grant_type=password")
        self.assertEqual((status, body["error"]), (400, "unauthorized_client"), body)
        self.assertEqual(body["error_description"],
                         "The authenticated client is not authorized to use the access grant type provided.")

    def test_bad_forms_and_other_content_types_are_invalid_request(self):
        for args in [["-d", "grant_type=%zz"], ["-d", "grant_type=client_credentials&grant_type=x"],
                     ["-H", "content-type: text/plain", "-d", "grant_type=client_credentials"]]:
            with self.subTest(args=args):
                status, body = self.curl("/token/", *self.basic(), *args)
                self.assertEqual((status, body["error"]), (400, "invalid_request"), body)

    def test_wrong_secret_in_the_form_is_invalid_client(self):
        status, body = self.curl("/token/", "-d", "grant_type=client_credentials",
                                 "-d", "client_id=" + self.client["id"], "-d", "client_secret=wrong")
        self.assertEqual((status, body["error"]), (401, "invalid_client"), body)


if __name__ == "__main__":
    unittest.main()
