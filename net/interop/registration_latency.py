"""Measures API latency while `imagelib serve` decodes a large registration.

Uploads a gzip-compressed raw disk of SIZE_MIB MiB (the first 64 MiB random,
the rest zeros) over FTPS, registers it, and times GET /1.0/images/ID requests
(one TLS connection each) until the image leaves `creating`. Prints the count,
median and maximum latency of the requests answered during the job.
Run: IMAGELIB_BIN=build/tools/imagelib python3 net/interop/registration_latency.py [SIZE_MIB]
A measurement, not a test: ctest does not run it.
"""
import gzip
import io
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_fixture import ReusingFTP_TLS, Serve, tls_context  # noqa: E402


def compressed_disk(size_mib):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as gz:
        gz.write(os.urandom(64 * 1024 * 1024))
        zeros = bytes(16 * 1024 * 1024)
        for _ in range((size_mib - 64) // 16):
            gz.write(zeros)
    return out.getvalue()


def main():
    size_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    data_dir = tempfile.mkdtemp(prefix="imagelib-latency-")
    try:
        with Serve(data_dir=data_dir) as server:
            user, password = server.ftp_login()
            ftp = ReusingFTP_TLS(context=tls_context(), timeout=120)
            ftp.connect("127.0.0.1", server.ftp_port)
            ftp.login(user, password)
            ftp.prot_p()
            ftp.storbinary("STOR incoming/big.img.gz", io.BytesIO(compressed_disk(size_mib)))
            ftp.quit()
            token = server.token()
            status, image = server.call("POST", "/1.0/images", token=token,
                                        body={"arch": "x86_64", "source": "big.img.gz"})
            assert status == 201, image
            latencies = []
            started = time.monotonic()
            while True:
                sent = time.monotonic()
                status, shown = server.call("GET", f"/1.0/images/{image['id']}", token=token)
                latencies.append(time.monotonic() - sent)
                if shown["status"] != "creating":
                    break
            total = time.monotonic() - started
            print(f"{size_mib} MiB registration: {shown['status']} after {total:.2f} s; "
                  f"{len(latencies)} requests, median {statistics.median(latencies) * 1000:.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
