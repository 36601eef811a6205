#!/usr/bin/env python3
"""SIGKILL at random moments loses no acknowledged operation (issue 13).

One data directory, ROUNDS rounds (IMAGELIB_SIGKILL_ROUNDS, default 100). Each round starts
`imagelib serve`, checks that everything acknowledged so far is there, then runs random operations
on a thread (FTPS uploads with Python's ftplib, registrations, image renames through the API)
and kills serve with SIGKILL after a random delay: mid-upload, mid-registration, mid-decode,
between operations. Every tenth round also kills a start-up half-way (during journal replay or
compaction). An operation is acknowledged when its final reply arrived (226, 201, 200); it must
survive every later kill. One not acknowledged may or may not have happened, so what it touched
is held to "either" from then on. The seed is printed (IMAGELIB_SIGKILL_SEED replays a run).
"""
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from serve_fixture import IMAGELIB, ReusingFTP_TLS, Serve, tls_context

ROUNDS = int(os.environ.get("IMAGELIB_SIGKILL_ROUNDS", "100"))
SEED = int(os.environ.get("IMAGELIB_SIGKILL_SEED", str(random.SystemRandom().randrange(1 << 32))))


class Model:
    """What the server acknowledged, and what an unacknowledged operation may have changed."""

    def __init__(self):
        self.files = {}   # incoming/ name -> (size, sha256): acknowledged uploads not registered since
        self.images = {}  # id -> {"sha256": the source's, "names": the names it may have}
        self.new_files = set()  # uploaded this round: their content is read back next round


class Workload:
    """Random operations against one server until it dies; records what was acknowledged."""

    def __init__(self, server, model, rng, round_number, login):
        self.server, self.model, self.rng, self.round = server, model, rng, round_number
        self.login = login
        self.operations = 0

    def run(self):
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=10)
        try:
            token = self.server.token()
            ftp.connect("127.0.0.1", self.server.ftp_port)
            ftp.login(*self.login)
            ftp.prot_p()
            while True:
                choice = self.rng.random()
                if choice < 0.5 or not self.model.files:
                    self.upload(ftp)
                elif choice < 0.8:
                    self.register(token)
                elif self.model.images:
                    self.rename(token)
                self.operations += 1
        except Exception:  # the server was killed: the operation in flight was not acknowledged
            ftp.close()

    def upload(self, ftp):
        name = f"r{self.round}-{self.operations}.img"
        content = self.rng.randbytes(self.rng.randrange(16 * 1024, 512 * 1024))
        ftp.storbinary(f"STOR incoming/{name}", io.BytesIO(content))
        self.model.files[name] = (len(content), hashlib.sha256(content).hexdigest())
        self.model.new_files.add(name)

    def register(self, token):
        name = self.rng.choice(sorted(self.model.files))
        size, digest = self.model.files.pop(name)  # consumed, or unknown if not acknowledged
        self.model.new_files.discard(name)
        label = f"n{self.round}-{self.operations}"
        status, image = self.server.call("POST", "/1.0/images", token=token,
                                         body={"arch": "x86_64", "source": name, "name": label})
        assert status == 201, (status, image)
        self.model.images[image["id"]] = {"sha256": digest, "names": {label}}

    def rename(self, token):
        image_id = self.rng.choice(sorted(self.model.images))
        label = f"n{self.round}-{self.operations}"
        names = self.model.images[image_id]["names"]
        names.add(label)  # possible from the moment it is sent
        status, image = self.server.call("PUT", f"/1.0/images/{image_id}", token=token, body={"name": label})
        assert status == 200, (status, image)
        names.clear()
        names.add(label)


class SigkillRoundsTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="imagelib-sigkill-")
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.__exit__()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def start(self):
        self.server = Serve("--job-seconds", "0.05", data_dir=self.data_dir).start()
        return self.server

    def kill_during_start_up(self, rng):
        process = subprocess.Popen([IMAGELIB, "serve", "--ftp-port", "0", "--api-port", "0",
                                    "--data-dir", self.data_dir], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)

    def check(self, server, model, login, token, context):
        status, listed = server.call("GET", "/1.0/images", token=token)
        self.assertEqual(status, 200, listed)
        shown = {image["id"]: image for image in listed}
        for image_id, expected in model.images.items():
            self.assertIn(image_id, shown, f"{context}: acknowledged image {image_id} is gone")
            image = shown[image_id]
            self.assertIn(image["name"], expected["names"], f"{context}: {image_id}")
            self.assertIn(image["status"], ("creating", "available"), f"{context}: {image}")
            if image["status"] == "available":
                self.assertEqual(image["sha256"], expected["sha256"], f"{context}: {image_id}")
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=30)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(*login)
        ftp.prot_p()
        for name, (size, digest) in model.files.items():
            self.assertEqual(ftp.size(f"incoming/{name}"), size, f"{context}: incoming/{name}")
            if name in model.new_files:
                got = hashlib.sha256()
                ftp.retrbinary(f"RETR incoming/{name}", got.update)
                self.assertEqual(got.hexdigest(), digest, f"{context}: incoming/{name}")
        model.new_files.clear()
        ftp.quit()

    def test_no_acknowledged_operation_is_lost(self):
        print(f"sigkill rounds: {ROUNDS}, seed {SEED} (IMAGELIB_SIGKILL_SEED replays it)", file=sys.stderr)
        rng = random.Random(SEED)
        model = Model()
        server = self.start()
        login = server.ftp_login()
        operations = 0
        for round_number in range(ROUNDS):
            context = f"round {round_number} (seed {SEED})"
            token = server.token()
            self.check(server, model, login, token, context)
            workload = Workload(server, model, random.Random(rng.randrange(1 << 32)), round_number, login)
            thread = threading.Thread(target=workload.run)
            thread.start()
            time.sleep(rng.uniform(0.05, 0.6))
            server.kill(signal.SIGKILL)
            thread.join(timeout=60)
            self.assertFalse(thread.is_alive(), f"{context}: a client hung after the kill")
            operations += workload.operations
            if round_number % 10 == 9:
                self.kill_during_start_up(rng)
            server = self.start()
        # At the end every acknowledged registration finishes.
        token = server.token()
        for image_id in model.images:
            self.assertEqual(server.wait_for_image(token, image_id)["status"], "available", image_id)
        self.check(server, model, login, token, "after the last round")
        print(f"sigkill rounds: {operations} operations acknowledged or cut, {len(model.images)} images, "
              f"{len(model.files)} files in incoming/", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(0 if unittest.main(exit=False).result.wasSuccessful() else 1)
