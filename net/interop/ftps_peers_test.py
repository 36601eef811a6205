"""curl, lftp and Python's ftplib.FTP_TLS against `imagelib serve` (issue 5).

Each test starts its own server on 127.0.0.1 (ports picked by the kernel),
and stops it by pid at the end. Run: IMAGELIB_BIN=build/tools/imagelib python3 ftps_peers_test.py
"""
import ftplib
import io
import os
import socket
import subprocess
import tempfile
import unittest

from serve_fixture import ReusingFTP_TLS, Serve, tls_context


def names(ftp, folder):
    """NLST of a folder, without the folder prefix servers put before each name (as vsftpd)."""
    return sorted(os.path.basename(name) for name in ftp.nlst(folder))


def curl(*args, check=True):
    result = subprocess.run(["curl", "-sS", "-k", "--ssl-reqd", *args], capture_output=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"curl {args} failed ({result.returncode}): {result.stderr.decode()}")
    return result


def read(path):
    with open(path, "rb") as f:
        return f.read()


class PeerTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.TemporaryDirectory(prefix="imagelib-peers-")
        self.server = Serve().start()
        self.user, self.password = self.server.ftp_login()
        self.ftp_url = f"ftp://127.0.0.1:{self.server.ftp_port}"
        self.content = os.urandom(3 * 1024 * 1024 + 17)

    def tearDown(self):
        self.server.kill()
        self.server.__exit__()
        self.work.cleanup()

    def path(self, name):
        return os.path.join(self.work.name, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def register(self, source):
        token = self.server.token()
        status, image = self.server.call("POST", "/1.0/images", token=token,
                                         body={"arch": "x86_64", "source": source})
        self.assertEqual(status, 201, image)
        image = self.server.wait_for_image(token, image["id"])
        self.assertEqual(image["status"], "available", image)
        return image["id"]


class CurlTest(PeerTest):
    def test_journey(self):
        auth = f"{self.user}:{self.password}"
        disk = self.write("disk.img", self.content)
        curl("-u", auth, "-T", disk, f"{self.ftp_url}/incoming/")
        listing = curl("-u", auth, f"{self.ftp_url}/incoming/").stdout.decode()
        self.assertIn("disk.img", listing)
        self.assertIn(str(len(self.content)), listing)

        for where in ("images/", ""):
            refused = curl("-v", "-u", auth, "-T", disk, f"{self.ftp_url}/{where}", check=False)
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn(b"< 553", refused.stderr)

        # Resume an interrupted upload: the first part, then `-C -` (SIZE + APPE).
        part = self.write("part.img", self.content[: 1024 * 1024 + 5])
        curl("-u", auth, "-T", part, f"{self.ftp_url}/incoming/resumed.img")
        curl("-u", auth, "-C", "-", "-T", disk, f"{self.ftp_url}/incoming/resumed.img")
        back = self.path("resumed.back")
        curl("-u", auth, "-o", back, f"{self.ftp_url}/incoming/resumed.img")
        self.assertEqual(read(back), self.content)

        image_id = self.register("disk.img")
        self.assertIn(image_id, curl("-u", auth, f"{self.ftp_url}/images/").stdout.decode())
        download = self.path("download.img")
        curl("-u", auth, "-o", download, f"{self.ftp_url}/images/{image_id}")
        self.assertEqual(read(download), self.content)
        # and a resumed download from images/ (REST + RETR)
        partial = self.write("partial.img", self.content[:100000])
        curl("-u", auth, "-C", "-", "-o", partial, f"{self.ftp_url}/images/{image_id}")
        self.assertEqual(read(partial), self.content)

    def test_data_without_session_reuse_is_refused(self):
        result = curl("-v", "--no-sessionid", "-u", f"{self.user}:{self.password}",
                      f"{self.ftp_url}/incoming/", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(b"522", result.stderr)


class LftpTest(PeerTest):
    def lftp(self, commands):
        script = ("set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                  "set ssl:verify-certificate no; set net:max-retries 1; "
                  f"open -u {self.user},{self.password} {self.ftp_url}; {commands}; quit")
        return subprocess.run(["lftp", "-e", script], capture_output=True, timeout=120, cwd=self.work.name)

    def test_journey(self):
        self.write("disk.img", self.content)
        result = self.lftp("cd incoming; put disk.img; ls; cd ../images; ls")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"disk.img", result.stdout)
        refused = self.lftp("cd images; put disk.img")
        self.assertIn(b"553", refused.stderr)
        image_id = self.register("disk.img")
        result = self.lftp(f"cd images; ls; get {image_id} -o back.img")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(image_id.encode(), result.stdout)
        self.assertEqual(read(self.path("back.img")), self.content)

    def test_resume_with_put_continue(self):
        self.write("big.img", self.content[: 2 * 1024 * 1024])
        self.assertEqual(self.lftp("cd incoming; put big.img").returncode, 0)
        self.write("big.img", self.content)
        result = self.lftp("cd incoming; put -c big.img; get big.img -o back.img")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(read(self.path("back.img")), self.content)


class FtplibTest(PeerTest):
    def connect(self, cls=ReusingFTP_TLS):
        ftp = cls(context=tls_context(), timeout=30)
        ftp.connect("127.0.0.1", self.server.ftp_port)
        ftp.login(self.user, self.password)
        ftp.prot_p()
        return ftp

    def test_journey(self):
        ftp = self.connect()
        self.assertEqual(names(ftp, "/"), ["images", "incoming"])
        ftp.storbinary("STOR incoming/disk.img", io.BytesIO(self.content))
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.storbinary("STOR images/x.img", io.BytesIO(b"x"))
        self.assertTrue(str(refused.exception).startswith("553"))
        with self.assertRaises(ftplib.error_perm) as refused_root:
            ftp.storbinary("STOR x.img", io.BytesIO(b"x"))
        self.assertTrue(str(refused_root.exception).startswith("553"))
        self.assertIn("disk.img", names(ftp, "incoming"))
        self.assertEqual(names(ftp, "images"), [])

        # REST + STOR resume of an interrupted upload.
        half = len(self.content) // 2
        ftp.storbinary("STOR incoming/resume.img", io.BytesIO(self.content[:half]))
        self.assertEqual(ftp.size("incoming/resume.img"), half)
        ftp.storbinary("STOR incoming/resume.img", io.BytesIO(self.content[half:]), rest=half)
        self.assertEqual(ftp.size("incoming/resume.img"), len(self.content))

        image_id = self.register("disk.img")
        self.assertEqual(names(ftp, "images"), [image_id])
        got = bytearray()
        ftp.retrbinary(f"RETR images/{image_id}", got.extend)
        self.assertEqual(bytes(got), self.content)
        ftp.quit()

    def test_prot_c_data_is_refused(self):
        ftp = self.connect()
        ftp.prot_c()
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.nlst("incoming")
        self.assertTrue(str(refused.exception).startswith("522"))

    def test_data_without_session_reuse_is_refused(self):
        ftp = self.connect(cls=ftplib.FTP_TLS)
        # The data handshake completes, then the server refuses it: ftplib
        # fails on the data connection, and the control connection says why.
        with self.assertRaises(Exception):
            ftp.nlst("incoming")
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.getresp()
        self.assertTrue(str(refused.exception).startswith("522"), refused.exception)

    def test_plain_user_is_refused(self):
        with socket.create_connection(("127.0.0.1", self.server.ftp_port), timeout=10) as sock:
            reader = sock.makefile("rb")
            self.assertTrue(reader.readline().startswith(b"220"))
            sock.sendall(b"USER " + self.user.encode() + b"\r\n")
            self.assertTrue(reader.readline().startswith(b"530"))

    def test_garbage_does_not_stall_other_clients(self):
        with socket.create_connection(("127.0.0.1", self.server.ftp_port), timeout=10) as sock:
            sock.recv(1024)
            sock.sendall(os.urandom(200000))  # binary noise and an over-long line
            ftp = self.connect()  # another client is served meanwhile
            self.assertEqual(names(ftp, "/"), ["images", "incoming"])
            ftp.quit()


if __name__ == "__main__":
    unittest.main()
