#!/usr/bin/env python3
"""The benchmark image set: one reproducible raw disk and every format made from it.

Used by bench/compare and by the Google Benchmark binaries (bench_data.cc runs
this script when its cache directory has no complete set). Run by hand:

    bench/bench_images.py --dir build/bench-data --size 1G      # prints the set's directory

The raw disk (`disk.raw`, sparse) is cut into 1 MiB chunks whose kinds are
drawn from the seed: half are zero (left as holes), a quarter random bytes
(incompressible), a quarter text-like bytes (English letter frequencies, with
repeated 4 KiB pieces, about 2:1 for gzip). The bytes come from SHAKE-256 of the
seed and the chunk number, so the same --size and --seed give the same disk on
every machine (the manifest records its SHA-256). The other files are made
from it by qemu-img (qcow2 plain, zlib and zstd clusters, vmdk monolithicSparse
and streamOptimized, vdi, vpc, vhdx) and the compressors (pigz, bzip2, xz -T2,
zstd -T2); their metadata (UUIDs, times) is the tools' own. The set is written
to DIR/<size>-s<seed>/ and manifest.json is written last: a set without it is
made again.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys

CHUNK = 1 << 20
PIECE = 4096

# (name, file, how to make it from disk.raw): argv lists; "{raw}" and "{out}" are replaced,
# and a command whose argv ends with ">" writes its standard output to the file.
DERIVED = [
    ("xz", "disk.raw.xz", ["xz", "-6", "-T2", "-c", "{raw}", ">"]),
    ("bzip2", "disk.raw.bz2", ["bzip2", "-9", "-c", "{raw}", ">"]),
    ("vmdk-stream", "disk-stream.vmdk",
     ["qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", "{raw}", "{out}"]),
    ("qcow2-zlib", "disk-zlib.qcow2", ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "{raw}", "{out}"]),
    ("gzip", "disk.raw.gz", ["pigz", "-6", "-p", "2", "-c", "{raw}", ">"]),
    ("qcow2-zstd", "disk-zstd.qcow2",
     ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o", "compression_type=zstd", "{raw}", "{out}"]),
    ("zstd", "disk.raw.zst", ["zstd", "-3", "-T2", "-q", "-c", "{raw}", ">"]),
    ("qcow2", "disk.qcow2", ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", "{raw}", "{out}"]),
    ("vmdk-sparse", "disk-sparse.vmdk",
     ["qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicSparse", "{raw}", "{out}"]),
    ("vdi", "disk.vdi", ["qemu-img", "convert", "-f", "raw", "-O", "vdi", "{raw}", "{out}"]),
    ("vpc", "disk.vpc", ["qemu-img", "convert", "-f", "raw", "-O", "vpc", "{raw}", "{out}"]),
    ("vhdx", "disk.vhdx", ["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "{raw}", "{out}"]),
]

# Formats in the order tables list them; "raw" is disk.raw itself.
FORMATS = ["raw", "qcow2", "qcow2-zlib", "qcow2-zstd", "vmdk-sparse", "vmdk-stream", "vdi", "vpc", "vhdx",
           "gzip", "bzip2", "xz", "zstd"]


def parse_size(text):
    m = re.fullmatch(r"(\d+)([KMG]?)", text.strip().upper())
    if not m:
        raise ValueError(f"size {text!r}: use bytes or a K/M/G suffix")
    size = int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]
    if size < 4 * CHUNK or size % CHUNK:
        raise ValueError("size must be a multiple of 1 MiB and at least 4 MiB")
    return size


def size_label(size):
    return f"{size >> 30}G" if size % (1 << 30) == 0 else f"{size >> 20}M"


def _text_table():
    """256 byte values mapped to characters in rough English-text proportions."""
    weights = [(" ", 37), ("e", 26), ("t", 19), ("a", 17), ("o", 16), ("i", 15), ("n", 14), ("s", 13),
               ("h", 12), ("r", 12), ("d", 9), ("l", 8), ("c", 6), ("u", 6), ("m", 5), ("w", 5),
               ("f", 4), ("g", 4), ("y", 4), ("p", 4), ("b", 3), ("\n", 3), (",", 2), (".", 2),
               ("v", 2), ("k", 1), ("0", 1), ("1", 1), ("2", 1), ("x", 1), ("j", 1), ("q", 1), ("z", 1)]
    table = bytearray()
    for char, weight in weights:
        table += char.encode() * weight
    assert len(table) == 256
    return bytes(table)


TEXT_TABLE = _text_table()


def _stream(seed, index, what, length):
    return hashlib.shake_256(f"imagelib-bench|{seed}|{index}|{what}".encode()).digest(length)


def chunk_kinds(size, seed):
    """The kind of each 1 MiB chunk: 'zero', 'random' or 'text'."""
    count = size // CHUNK
    order = sorted(range(count), key=lambda i: _stream(seed, i, "order", 8))
    kinds = ["zero"] * count
    for rank, index in enumerate(order):
        if rank >= count // 2:
            kinds[index] = "random" if rank < count // 2 + count // 4 else "text"
    return kinds


def text_chunk(seed, index):
    """1 MiB of text-like bytes: fresh 4 KiB pieces, and pieces that repeat a recent one."""
    soup = _stream(seed, index, "text", CHUNK).translate(TEXT_TABLE)
    control = _stream(seed, index, "control", CHUNK // PIECE)
    out = bytearray()
    for piece in range(CHUNK // PIECE):
        fresh = soup[piece * PIECE:(piece + 1) * PIECE]
        if piece > 0 and control[piece] >= 150:
            back = 1 + control[piece] % min(piece, 7)
            start = (piece - back) * PIECE
            out += fresh[:64] + out[start + 64:start + PIECE]
        else:
            out += fresh
    return bytes(out)


def write_raw(path, size, seed):
    """Writes the sparse raw disk; returns the SHA-256 of its content."""
    digest = hashlib.sha256()
    zero = bytes(CHUNK)
    with open(path, "wb") as f:
        f.truncate(size)
        for index, kind in enumerate(chunk_kinds(size, seed)):
            if kind == "zero":
                digest.update(zero)
                continue
            data = _stream(seed, index, "random", CHUNK) if kind == "random" else text_chunk(seed, index)
            os.pwrite(f.fileno(), data, index * CHUNK)
            digest.update(data)
    return digest.hexdigest()


def _make(directory, name, file, argv):
    raw = os.path.join(directory, "disk.raw")
    out = os.path.join(directory, file)
    part = out + ".part"
    if argv[-1] == ">":
        with open(part, "wb") as f:
            subprocess.run([a.replace("{raw}", raw) for a in argv[:-1]], stdout=f, check=True)
    else:
        subprocess.run([a.replace("{raw}", raw).replace("{out}", part) for a in argv],
                       stdout=subprocess.DEVNULL, check=True)
    os.replace(part, out)
    return name, file


def ensure_images(root, size, seed=1, log=sys.stderr):
    """The directory of the complete set for (size, seed) under root, made if missing; and its manifest."""
    directory = os.path.join(os.path.abspath(root), f"{size_label(size)}-s{seed}")
    manifest_path = os.path.join(directory, "manifest.json")
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            return directory, json.load(f)
    os.makedirs(directory, exist_ok=True)
    print(f"bench_images: making the {size_label(size)} set (seed {seed}) in {directory}", file=log)
    sha256 = write_raw(os.path.join(directory, "disk.raw"), size, seed)
    files = {"raw": "disk.raw"}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(_make, directory, name, file, argv) for name, file, argv in DERIVED]
        for job in concurrent.futures.as_completed(jobs):
            name, file = job.result()
            files[name] = file
            print(f"bench_images: {file}", file=log)
    manifest = {
        "size": size,
        "seed": seed,
        "raw_sha256": sha256,
        "layout": "1 MiB chunks: 50% zero (holes), 25% random, 25% text-like",
        "files": {name: {"file": files[name], "bytes": os.path.getsize(os.path.join(directory, files[name]))}
                  for name in FORMATS},
    }
    with open(manifest_path + ".part", "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(manifest_path + ".part", manifest_path)
    return directory, manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True, help="cache root (e.g. build/bench-data)")
    parser.add_argument("--size", default="1G", help="virtual size: bytes or K/M/G (default 1G)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    try:
        size = parse_size(args.size)
    except ValueError as error:
        parser.error(str(error))
    directory, _ = ensure_images(args.dir, size, args.seed)
    print(directory)


if __name__ == "__main__":
    main()
