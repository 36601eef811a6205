"""curl, lftp, Python's ftplib.FTP_TLS and Ruby's net/ftp against `imagelib serve` (issues 5, 14).

Each test starts its own server on 127.0.0.1 (ports picked by the kernel),
and stops it by pid at the end. Several transfers on one control connection
run under TLS 1.2 and TLS 1.3 with every client (SPEC §4: each data connection
resumes its control connection's TLS session; curl and Ruby use a TLS 1.3
ticket once, lftp breaks on tickets sent on data connections).
Run: IMAGELIB_BIN=build/tools/imagelib python3 ftps_peers_test.py
"""
import ftplib
import io
import os
import socket
import struct
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


TLS_VERSIONS = ("1.2", "1.3")
CURL_TLS = {"1.2": ["--tlsv1.2", "--tls-max", "1.2"], "1.3": ["--tlsv1.3"]}
LFTP_TLS = {"1.2": "NORMAL:-VERS-ALL:+VERS-TLS1.2", "1.3": "NORMAL:-VERS-ALL:+VERS-TLS1.3"}
# Sizes on both sides of the ~112 KiB point where tickets on data connections broke lftp's uploads.
SAMPLE_SIZES = (300 * 1024, 17, 150 * 1024 + 3, 4096, 1024 * 1024 + 5)


def sample_files(prefix, count):
    """{name: content} of `count` random files of SAMPLE_SIZES, names starting with `prefix`."""
    return {f"{prefix}{i:02d}.bin": os.urandom(SAMPLE_SIZES[i % len(SAMPLE_SIZES)]) for i in range(count)}


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

    def write_files(self, folder, files):
        os.makedirs(self.path(folder), exist_ok=True)
        for name, data in files.items():
            self.write(os.path.join(folder, name), data)
        return self.path(folder)

    def assert_same_files(self, folder, files):
        for name, data in files.items():
            self.assertEqual(read(os.path.join(self.path(folder), name)), data, name)

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

    def test_several_transfers_on_one_connection(self):
        auth = f"{self.user}:{self.password}"
        for version in TLS_VERSIONS:
            with self.subTest(tls=version):
                files = sample_files(f"curl{version}-", 3)
                folder = self.write_files(f"up{version}", files)
                uploads = []
                for name in files:
                    uploads += ["-T", os.path.join(folder, name), f"{self.ftp_url}/incoming/"]
                sent = curl("-v", *CURL_TLS[version], "-u", auth, *uploads)
                self.assertIn(f"SSL connection using TLSv{version}".encode(), sent.stderr)
                self.assertEqual(sent.stderr.count(b"Re-using existing connection"), len(files) - 1)
                downloads = []
                for name in files:
                    downloads += ["-o", self.path(f"down{version}/{name}"), f"{self.ftp_url}/incoming/{name}"]
                got = curl("-v", "--create-dirs", *CURL_TLS[version], "-u", auth, *downloads)
                self.assertEqual(got.stderr.count(b"Re-using existing connection"), len(files) - 1)
                self.assert_same_files(f"down{version}", files)

    def test_one_passive_port_serves_transfer_after_transfer(self):
        # The server closes a download's data connection first, so its passive port sits in
        # TIME_WAIT afterwards: without SO_REUSEADDR a range of one port answered 425 to
        # every transfer after the first.
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        self.server.kill()
        self.server.__exit__()
        self.server = Serve("--passive-ports", f"{port}-{port}").start()
        auth = "%s:%s" % self.server.ftp_login()
        self.ftp_url = f"ftp://127.0.0.1:{self.server.ftp_port}"
        files = sample_files("one-port-", 4)
        folder = self.write_files("up", files)
        for name in files:
            curl("-u", auth, "-T", os.path.join(folder, name), f"{self.ftp_url}/incoming/")
        for round in range(2):
            downloads = []
            for name in files:
                downloads += ["-o", self.path(f"down{round}/{name}"), f"{self.ftp_url}/incoming/{name}"]
            got = curl("-v", "--create-dirs", "-u", auth, *downloads)
            self.assertEqual(got.stderr.count(f"(|||{port}|)".encode()), len(files), got.stderr)
            self.assert_same_files(f"down{round}", files)

    def test_data_without_session_reuse_is_refused(self):
        result = curl("-v", "--no-sessionid", "-u", f"{self.user}:{self.password}",
                      f"{self.ftp_url}/incoming/", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(b"522", result.stderr)
        # An upload: the server answers 522 and closes the data connection; curl, still
        # writing, fails on it (55) before it reads the reply, or reads the 522 (18).
        disk = self.write("refused.img", self.content)
        result = curl("--no-sessionid", "-u", f"{self.user}:{self.password}", "-T", disk,
                      f"{self.ftp_url}/incoming/", check=False)
        self.assertIn(result.returncode, (18, 55), result.stderr)
        listing = curl("-u", f"{self.user}:{self.password}", f"{self.ftp_url}/incoming/").stdout.decode()
        self.assertNotIn(str(len(self.content)), listing)


class LftpTest(PeerTest):
    def lftp(self, commands, tls_priority=None):
        script = ("set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                  "set ssl:verify-certificate no; set net:max-retries 1; "
                  + (f'set ssl:priority "{tls_priority}"; ' if tls_priority else "")
                  + f"open -u {self.user},{self.password} {self.ftp_url}; {commands}; quit")
        return subprocess.run(["lftp", "-e", script], capture_output=True, timeout=120, cwd=self.work.name)

    def test_mirror_both_ways(self):
        for version in TLS_VERSIONS:
            with self.subTest(tls=version):
                files = sample_files(f"lftp{version}-", 20)
                self.write_files(f"up{version}", files)
                result = self.lftp(f"mirror -R --no-perms up{version} incoming; "
                                   f"mirror --no-perms incoming down{version}", LFTP_TLS[version])
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_same_files(f"down{version}", files)

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
    def connect(self, cls=ReusingFTP_TLS, tls=None, context=None):
        ftp = cls(context=context or tls_context(tls), timeout=30)
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

    def test_several_transfers_on_one_connection(self):
        for version in TLS_VERSIONS:
            with self.subTest(tls=version):
                ftp = self.connect(tls=version)
                self.assertEqual(ftp.sock.version(), f"TLSv{version}")
                files = sample_files(f"ftplib{version}-", 4)
                for name, data in files.items():
                    ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(data))
                self.assertLessEqual(set(files), set(names(ftp, "incoming")))
                for name, data in files.items():
                    got = bytearray()
                    ftp.retrbinary(f"RETR incoming/{name}", got.extend)
                    self.assertEqual(bytes(got), data, name)
                ftp.quit()

    def refused_reply(self, ftp, transfer):
        """The reply to `transfer` (a call on ftp), which the server must refuse, whether ftplib
        read it after the transfer or failed on the data connection first (which comes first
        depends on the client's TLS library and timing)."""
        try:
            transfer()
        except (ftplib.error_temp, ftplib.error_perm) as error:
            return str(error)
        except OSError:
            try:
                ftp.getresp()
            except (ftplib.error_temp, ftplib.error_perm) as error:
                return str(error)
        raise AssertionError("the transfer was answered as complete")

    def refused_upload_reply(self, ftp, name):
        """The reply to an upload of self.content the server must refuse."""
        return self.refused_reply(ftp, lambda: ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(self.content)))

    def assert_upload_failed_and_resumable(self, ftp, name, reply):
        """A failed upload: a 4xx (or 522) reply, and incoming/ holds no file that looks finished
        (the partial file stays, as vsftpd keeps it, and REST+STOR completes it)."""
        self.assertIn(reply[:3], ("425", "426", "522"), reply)
        size = ftp.size(f"incoming/{name}")
        self.assertLess(size, len(self.content))
        ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(self.content[size:]), rest=size)
        got = bytearray()
        ftp.retrbinary(f"RETR incoming/{name}", got.extend)
        self.assertEqual(bytes(got), self.content)

    def open_upload(self, ftp, name):
        """A passive data socket (not yet TLS) for STOR incoming/`name`, after its 150."""
        host, port = ftp.makepasv()
        data = socket.create_connection((host, port), timeout=30)
        self.assertTrue(ftp.sendcmd(f"STOR incoming/{name}").startswith("150"))
        return data

    def test_data_resuming_another_login_is_refused(self):
        other = self.connect()
        ftp = self.connect(context=other.context)  # Python resumes a session in its own context only
        ftp.session_source = other.sock
        reply = self.refused_upload_reply(ftp, "stolen.img")
        ftp.session_source = None
        # SPEC §4: a data connection from another session is 425; 522 is for one that resumes nothing.
        self.assertTrue(reply.startswith("425 "), reply)
        self.assert_upload_failed_and_resumable(ftp, "stolen.img", reply)
        ftp.quit()
        other.quit()

    def test_upload_without_session_reuse_is_refused(self):
        ftp = self.connect(cls=ftplib.FTP_TLS)
        reply = self.refused_upload_reply(ftp, "fresh.img")
        self.assert_upload_failed_and_resumable(self.connect(), "fresh.img", reply)

    def test_failed_data_handshake_after_150_answers_425(self):
        ftp = self.connect()
        with self.open_upload(ftp, "garbage.img") as data:
            data.sendall(b"this is not a TLS ClientHello\r\n" * 100)
        with self.assertRaises(ftplib.error_temp) as failed:
            ftp.getresp()
        self.assert_upload_failed_and_resumable(ftp, "garbage.img", str(failed.exception))

    def test_upload_reset_midway_answers_426(self):
        ftp = self.connect()
        plain = self.open_upload(ftp, "reset.img")
        data = ftp.context.wrap_socket(plain, server_hostname=ftp.host, session=ftp.sock.session)
        data.sendall(self.content[: len(self.content) // 2])
        # A reset, not an orderly end: no close_notify, and no FIN (SO_LINGER 0).
        data.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        data.close()
        with self.assertRaises(ftplib.error_temp) as failed:
            ftp.getresp()
        self.assert_upload_failed_and_resumable(ftp, "reset.img", str(failed.exception))

    def test_prot_c_data_is_refused(self):
        ftp = self.connect()
        ftp.prot_c()
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.nlst("incoming")
        self.assertTrue(str(refused.exception).startswith("522"))

    def test_data_without_session_reuse_is_refused(self):
        ftp = self.connect(cls=ftplib.FTP_TLS)
        # The data handshake completes, then the server refuses it.
        reply = self.refused_reply(ftp, lambda: ftp.nlst("incoming"))
        self.assertTrue(reply.startswith("522 "), reply)

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


# Ruby's net/ftp: uploads every file of a folder to incoming/, downloads them to folder.back/,
# all on one control connection; prints the control connection's TLS version.
RUBY_TRANSFERS = """
require "net/ftp"
host, port, user, password, version, folder = ARGV
tls = {"1.2" => OpenSSL::SSL::TLS1_2_VERSION, "1.3" => OpenSSL::SSL::TLS1_3_VERSION}.fetch(version)
ftp = Net::FTP.new(host, port: Integer(port), username: user, password: password, passive: true,
                   ssl: {verify_mode: OpenSSL::SSL::VERIFY_NONE, min_version: tls, max_version: tls})
names = Dir.children(folder).sort
names.each { |name| ftp.putbinaryfile(File.join(folder, name), "incoming/" + name) }
Dir.mkdir(folder + ".back")
names.each { |name| ftp.getbinaryfile("incoming/" + name, File.join(folder + ".back", name)) }
puts ftp.instance_variable_get(:@sock).io.ssl_version
ftp.close
"""


class RubyTest(PeerTest):
    def test_several_transfers_on_one_connection(self):
        for version in TLS_VERSIONS:
            with self.subTest(tls=version):
                files = sample_files(f"ruby{version}-", 4)
                folder = self.write_files(f"up{version}", files)
                result = subprocess.run(["ruby", "-e", RUBY_TRANSFERS, "127.0.0.1", str(self.server.ftp_port),
                                         self.user, self.password, version, folder],
                                        capture_output=True, timeout=120)
                self.assertEqual(result.returncode, 0, result.stderr.decode())
                self.assertEqual(result.stdout.decode().strip(), f"TLSv{version}")
                self.assert_same_files(f"up{version}.back", files)


if __name__ == "__main__":
    unittest.main()
