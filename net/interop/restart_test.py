"""A restart of `imagelib serve` with the same --data-dir keeps every account,
registered image, server and uploaded file, including after a SIGKILL in the
middle of an upload or of a registration (issue 5); the journal is compacted
at each restart without losing any of them, tokens issued after a restart
never repeat earlier ones, and the data directory is private.

Each test starts its servers on 127.0.0.1, stops them by pid and removes its
data directory. Run: IMAGELIB_BIN=build/tools/imagelib python3 restart_test.py
"""
import gzip
import hashlib
import io
import os
import shutil
import signal
import stat
import struct
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

    def serve(self, *args):
        server = Serve(*args, data_dir=self.data_dir).start()
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


    def test_tokens_after_a_restart_never_repeat_earlier_ones(self):
        server = self.serve()
        issued = [server.token() for _ in range(3)]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            server.kill(sig)
            server = self.serve()
            status, _ = server.call("GET", "/1.0/images", token=issued[0])  # old tokens stay valid
            self.assertEqual(status, 200)
            fresh = [server.token() for _ in range(3)]
            self.assertFalse(set(fresh) & set(issued), (fresh, issued))
            issued += fresh

    def test_compaction_keeps_everything_and_drops_what_is_gone(self):
        server = self.serve()
        user, password = server.ftp_login()
        content = os.urandom(512 * 1024)
        ftp = self.ftp(server, user, password)
        ftp.storbinary("STOR incoming/disk.img", io.BytesIO(content))
        ftp.storbinary("STOR incoming/kept.img", io.BytesIO(content[:7000]))
        ftp.storbinary("STOR incoming/gone.img", io.BytesIO(os.urandom(6 * 1024 * 1024)))
        ftp.delete("incoming/gone.img")
        ftp.quit()
        token = server.token()
        status, image = server.call("POST", "/1.0/images", token=token,
                                    body={"arch": "x86_64", "source": "disk.img", "name": "Kept"})
        self.assertEqual(status, 201, image)
        image = server.wait_for_image(token, image["id"])
        status, built = server.call("POST", "/1.0/servers", token=token, body={"image": image["id"]})
        self.assertEqual(status, 202, built)
        status, images_before = server.call("GET", "/1.0/images", token=token)
        journal = os.path.join(self.data_dir, "journal")
        grown = os.path.getsize(journal)
        server.kill(signal.SIGTERM)

        for _ in range(2):
            again = self.serve()
            compacted = os.path.getsize(journal)
            self.assertLess(compacted, grown)  # the deleted upload is gone from it
            status, images_after = again.call("GET", "/1.0/images", token=token)
            # The same images, apart from their url (the API's port is picked anew).
            self.assertEqual([{k: v for k, v in i.items() if k != "url"} for i in images_after],
                             [{k: v for k, v in i.items() if k != "url"} for i in images_before])
            status, servers = again.call("GET", "/1.0/servers", token=token)
            self.assertEqual([s["id"] for s in servers], [built["id"]])
            ftp = self.ftp(again, user, password)
            self.assertEqual(self.download(ftp, f"images/{image['id']}"), content)
            self.assertEqual(self.download(ftp, "incoming/kept.img"), content[:7000])
            self.assertNotIn("gone.img", [os.path.basename(n) for n in ftp.nlst("incoming")])
            ftp.quit()
            again.kill(signal.SIGTERM)
            grown = os.path.getsize(journal)
        self.assertFalse(os.path.exists(journal + ".compacting"))

    def journal_records(self):
        """(offset, size) of each record of the data directory's journal (net/journal.md)."""
        with open(os.path.join(self.data_dir, "journal"), "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"IMGJRNL2")
        records, offset = [], 8
        while offset < len(data):
            header, payload = struct.unpack_from("<IQ", data, offset)
            records.append((offset, 20 + header + payload))
            offset += 20 + header + payload
        return records

    def test_a_damaged_journal_stops_start_up_until_repair_moves_the_damage_aside(self):
        server = self.serve()
        token = server.token()
        for name in ("one", "two", "three"):
            status, _ = server.call("POST", "/1.0/images", token=token, body={"arch": "x86_64", "source": name})
            self.assertEqual(status, 422)
        status, before = server.call("GET", "/1.0/account", token=token)
        self.assertEqual(status, 200)
        server.kill(signal.SIGKILL)
        records = self.journal_records()
        self.assertGreaterEqual(len(records), 4)
        offset, size = records[2]
        path = os.path.join(self.data_dir, "journal")
        with open(path, "r+b") as f:  # one bit of the third record's body
            f.seek(offset + size - 3)
            byte = f.read(1)
            f.seek(offset + size - 3)
            f.write(bytes([byte[0] ^ 0x04]))
        with self.assertRaises(RuntimeError) as refused:
            self.serve()
        message = str(refused.exception)
        self.assertIn(f"record 3 at byte {offset} is corrupt", message)
        self.assertIn("--repair", message)
        repaired = self.serve("--repair")
        repaired.log.seek(0)
        self.assertIn(f"to {path}.bad-{offset} (--repair)", repaired.log.read())
        self.assertTrue(os.path.exists(f"{path}.bad-{offset}"))
        status, after = repaired.call("GET", "/1.0/account", token=repaired.token())
        self.assertEqual(status, 200)
        self.assertEqual(after["id"], before["id"])

    def test_data_directory_and_journal_are_private(self):
        os.chmod(self.data_dir, 0o755)
        server = self.serve()
        server.token()
        self.assertEqual(stat.S_IMODE(os.stat(self.data_dir).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.data_dir, "journal")).st_mode), 0o600)

    def test_sigkill_while_a_decode_runs_leaves_it_creating_then_available(self):
        server = self.serve("--job-seconds", "0")
        user, password = server.ftp_login()
        disk = os.urandom(1024 * 1024) + bytes(127 * 1024 * 1024)
        ftp = self.ftp(server, user, password)
        ftp.storbinary("STOR incoming/big.img.gz", io.BytesIO(gzip.compress(disk, compresslevel=1)))
        ftp.quit()
        token = server.token()
        status, image = server.call("POST", "/1.0/images", token=token,
                                    body={"arch": "x86_64", "source": "big.img.gz"})
        self.assertEqual(status, 201)
        # The job is due at once: the kill comes while a worker decodes 128 MiB
        # (or just before or after it: every point must be safe).
        server.kill(signal.SIGKILL)

        again = self.serve()
        status, shown = again.call("GET", f"/1.0/images/{image['id']}", token=token)
        self.assertEqual(status, 200)
        self.assertIn(shown["status"], ("creating", "available"))
        if shown["status"] == "available":
            self.assertEqual(shown["sha256"], hashlib.sha256(disk).hexdigest())
        finished = again.wait_for_image(token, image["id"])
        self.assertEqual(finished["status"], "available", finished)
        self.assertEqual(finished["sha256"], hashlib.sha256(disk).hexdigest())


if __name__ == "__main__":
    unittest.main()
