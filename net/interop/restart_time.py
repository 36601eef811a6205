"""Measures how long `imagelib serve --data-dir` takes to restart with nothing stored and with
SIZE_GIB GiB stored (issue 13: within 2x). A restart is timed from the spawn of the process to
its first answer to GET /1.0/account. The stored data are files in incoming/ uploaded over FTPS
(1 GiB each, 1 MiB of random bytes repeated, so nothing is sparse).

Prints, in seconds: the restart with nothing stored, the first restart after the uploads (it
replays the journal, which counts the uploads' bytes kept in their blob files, and compacts it),
and the next ones (the compacted journal names the blob files), with the data directory's size
(it holds the uploads once: nothing is copied at any start).
Run: IMAGELIB_BIN=build/tools/imagelib python3 net/interop/restart_time.py [SIZE_GIB]
A measurement, not a test: ctest does not run it.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_fixture import ReusingFTP_TLS, Serve, tls_context  # noqa: E402

GIB = 1024 * 1024 * 1024


class Repeated:
    """A file-like object of `size` bytes: one random MiB over and over."""

    def __init__(self, size):
        self.block = os.urandom(1024 * 1024)
        self.left = size

    def read(self, n):
        n = min(n, self.left, len(self.block))
        self.left -= n
        return self.block[:n]


def directory_bytes(path):
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def timed_restart(server):
    server.kill(signal.SIGTERM)
    start = time.monotonic()
    server.start()
    status, _ = server.call("GET", "/1.0/account", token=server.token())
    assert status == 200
    return time.monotonic() - start


def main():
    size_gib = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    data_dir = tempfile.mkdtemp(prefix="imagelib-restart-")
    try:
        server = Serve(data_dir=data_dir).start()
        user, password = server.ftp_login()
        empty = min(timed_restart(server) for _ in range(3))
        ftp = ReusingFTP_TLS(context=tls_context(), timeout=600)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(user, password)
        ftp.prot_p()
        start = time.monotonic()
        for i in range(size_gib):
            ftp.storbinary(f"STOR incoming/part{i}.img", Repeated(GIB), blocksize=1024 * 1024)
        upload = time.monotonic() - start
        ftp.quit()
        stored = directory_bytes(data_dir)
        first = timed_restart(server)
        after_first = directory_bytes(data_dir)
        steady = min(timed_restart(server) for _ in range(3))
        after_steady = directory_bytes(data_dir)
        server.kill(signal.SIGTERM)
        print(f"stored: {size_gib} GiB uploaded in {upload:.1f} s; data directory {stored / GIB:.2f} GiB")
        print(f"restart with nothing stored: {empty:.3f} s (best of 3)")
        print(f"first restart after the uploads: {first:.3f} s, {first / empty:.2f}x the empty restart; "
              f"data directory then {after_first / GIB:.2f} GiB")
        print(f"restart with {size_gib} GiB stored: {steady:.3f} s (best of 3), {steady / empty:.2f}x the empty "
              f"restart; data directory {after_steady / GIB:.2f} GiB")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
