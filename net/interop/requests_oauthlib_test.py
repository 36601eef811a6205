"""Python's requests-oauthlib (BackendApplicationClient, the client credentials grant) against
`imagelib serve`.

Runs under Debian's /usr/bin/python3, which has python3-requests-oauthlib (net/CMakeLists.txt).
fetch_token at https://127.0.0.1:PORT/token/ with the credentials in the Authorization header (the
library's default) and in the form body (include_client_id=True), then GET /1.0/images and
/1.0/account with the session, trusting serve's own certificate only. Starts its own server on
127.0.0.1 and stops it by pid. Without requests-oauthlib: skipped, or a failure under CI=true. Run:
IMAGELIB_BIN=build/tools/imagelib /usr/bin/python3 requests_oauthlib_test.py
"""
import unittest

from serve_fixture import certificate_file, exit_without_peer, serve_keeping_certificate

try:
    import oauthlib.oauth2
    import requests_oauthlib
except ImportError:
    requests_oauthlib = None


class RequestsOauthlibTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = serve_keeping_certificate()
        cls.addClassCleanup(cls.server.__exit__)
        cls.server.start()
        cls.certificate = certificate_file(cls.server)

    def session(self, client, oauth_client=None):
        session = requests_oauthlib.OAuth2Session(
            client=oauth_client or oauthlib.oauth2.BackendApplicationClient(client_id=client["id"]))
        self.addCleanup(session.close)
        return session

    def expect_session_works(self, session, client):
        images = session.get(self.server.api + "/1.0/images", verify=self.certificate, timeout=30)
        self.assertEqual(images.status_code, 200, images.text)
        self.assertIsInstance(images.json(), list)
        account = session.get(self.server.api + "/1.0/account", verify=self.certificate, timeout=30)
        self.assertEqual(account.status_code, 200, account.text)
        self.assertEqual(account.json()["id"], client["account"])

    def fetch(self, session, client, secret=None, **kwargs):
        return session.fetch_token(token_url=self.server.api + "/token/", client_id=client["id"],
                                   client_secret=secret or client["secret"], verify=self.certificate,
                                   timeout=30, **kwargs)

    def test_credentials_in_the_authorization_header(self):
        client = self.server.clients[0]
        session = self.session(client)
        token = self.fetch(session, client)
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["expires_in"], 7200)
        self.expect_session_works(session, client)

    def test_credentials_in_the_form_body(self):
        client = self.server.clients[-1]
        session = self.session(client)
        self.fetch(session, client, include_client_id=True)
        self.expect_session_works(session, client)

    def test_wrong_secret_raises_invalid_client(self):
        client = self.server.clients[0]
        for include_client_id in [None, True]:
            with self.assertRaises(oauthlib.oauth2.InvalidClientError):
                self.fetch(self.session(client), client, secret="wrong", include_client_id=include_client_id)

    def test_password_grant_raises_unauthorized_client(self):
        client = self.server.clients[0]
        session = self.session(client, oauthlib.oauth2.LegacyApplicationClient(client_id=client["id"]))
        with self.assertRaises(oauthlib.oauth2.UnauthorizedClientError) as raised:
            self.fetch(session, client, username="someone", password="secret")
        self.assertIn("not authorized to use the access grant type", raised.exception.description)


if __name__ == "__main__":
    if requests_oauthlib is None:
        exit_without_peer("requests-oauthlib (python3-requests-oauthlib, for /usr/bin/python3)")
    unittest.main()
