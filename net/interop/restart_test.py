"""A restart of `imagelib serve` with the same --data-dir keeps every account,
registered image, server and uploaded file, including after a SIGKILL in the
middle of an upload or of a registration (issue 5).

Each test starts its servers on 127.0.0.1, stops them by pid and removes its
data directory. Run: IMAGELIB_BIN=build/tools/imagelib python3 restart_test.py
"""
import hashlib
import io
import os
import shutil
import signal
import tempfile
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context


class RestartTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="imagelib-data-")
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.__exit__()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def serve(self):
        server = Serve(data_dir=self.data_dir).start()
        self.servers.append(server)
        return server

    def ftp(self, server, user, password):
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=30)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(user, password)
        ftp.prot_p()
        return ftp

    def download(self, ftp, path):
        got = bytearray()
        ftp.retrbinary(f"RETR {path}", got.extend)
        return bytes(got)

    def test_clean_restart_keeps_everything(self):
        server = self.serve()
        user, password = server.ftp_login()
        content = os.urandom(1024 * 1024 + 3)
        ftp = self.ftp(server, user, password)
        ftp.storbinary("STOR incoming/disk.img", io.BytesIO(content))
        ftp.storbinary("STOR incoming/kept.img", io.BytesIO(content[:5000]))
        ftp.quit()
        token = server.token()
        status, image = server.call("POST", "/1.0/images", token=token,
                                    body={"arch": "x86_64", "source": "disk.img", "name": "Kept"})
        self.assertEqual(status, 201, image)
        image = server.wait_for_image(token, image["id"])
        self.assertEqual(image["status"], "available")
        status, built = server.call("POST", "/1.0/servers", token=token, body={"image": image["id"]})
        self.assertEqual(status, 202, built)
        clients_before = server.clients
        server.kill(signal.SIGTERM)

        again = self.serve()
        self.assertEqual(again.clients, clients_before)
        status, shown = again.call("GET", f"/1.0/images/{image['id']}", token=token)  # old token still valid
        self.assertEqual(status, 200, shown)
        self.assertEqual(shown["sha256"], image["sha256"])
        self.assertEqual(shown["status"], "available")
        status, servers = again.call("GET", "/1.0/servers", token=token)
        self.assertEqual([s["id"] for s in servers], [built["id"]])
        ftp = self.ftp(again, user, password)  # the FTP password survives too
        self.assertEqual(self.download(ftp, f"images/{image['id']}"), content)
        self.assertEqual(self.download(ftp, "incoming/kept.img"), content[:5000])
        ftp.quit()

    def test_sigkill_mid_upload_keeps_what_arrived_and_resumes(self):
        server = self.serve()
        user, password = server.ftp_login()
        content = os.urandom(8 * 1024 * 1024)
        ftp = self.ftp(server, user, password)
        conn = ftp.transfercmd("STOR incoming/partial.img")
        conn.sendall(content[: 3 * 1024 * 1024])
        # A command on the control connection is answered only after the core
        # took the bytes read so far; then the server dies mid-transfer.
        server.kill(signal.SIGKILL)
        conn.close()

        again = self.serve()
        ftp = self.ftp(again, user, password)
        size = ftp.size("incoming/partial.img")
        self.assertLessEqual(size, 3 * 1024 * 1024)
        self.assertEqual(self.download(ftp, "incoming/partial.img"), content[:size])
        ftp.storbinary("STOR incoming/partial.img", io.BytesIO(content[size:]), rest=size)
        self.assertEqual(self.download(ftp, "incoming/partial.img"), content)
        ftp.quit()

    def test_sigkill_mid_registration_finishes_after_restart(self):
        server = self.serve()
        user, password = server.ftp_login()
        content = os.urandom(4 * 1024 * 1024)
        ftp = self.ftp(server, user, password)
        ftp.storbinary("STOR incoming/reg.img", io.BytesIO(content))
        ftp.quit()
        token = server.token()
        status, image = server.call("POST", "/1.0/images", token=token,
                                    body={"arch": "x86_64", "source": "reg.img"})
        self.assertEqual(status, 201)
        self.assertEqual(image["status"], "creating")
        server.kill(signal.SIGKILL)

        again = self.serve()
        finished = again.wait_for_image(token, image["id"])
        self.assertEqual(finished["status"], "available", finished)
        self.assertEqual(finished["sha256"], hashlib.sha256(content).hexdigest())
        ftp = self.ftp(again, user, password)
        self.assertNotIn("reg.img", [os.path.basename(n) for n in ftp.nlst("incoming")])
        self.assertEqual(self.download(ftp, f"images/{image['id']}"), content)
        ftp.quit()


if __name__ == "__main__":
    unittest.main()
