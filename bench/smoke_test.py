#!/usr/bin/env python3
"""Smoke test of the benchmark binaries (by hand; not in ctest yet): runs each one once on a
4 MiB image set, with a tiny minimum time, and fails if a benchmark is missing from
its report or reported an error (SkipWithError). It checks that the benchmarks still
work, not how fast anything is.

    bench/smoke_test.py BUILD/bench        (IMAGELIB_BENCH_DATA picks the cache; default BUILD/bench-data)
"""
import json
import os
import subprocess
import sys

BINARIES = {
    "decode_bench": 13, "encode_bench": 2, "sha256_bench": 2, "machine_bench": 2,
    "api_bench": 3, "scenario_bench": 2, "sim_bench": 3, "ftps_bench": 4,
    "ftps_sessions_bench": 1,
}


def main():
    bench_dir = sys.argv[1]
    os.environ.setdefault("IMAGELIB_BENCH_SIZE", "4M")
    failures = []
    for name, expected in BINARIES.items():
        argv = [os.path.join(bench_dir, name), "--benchmark_format=json", "--benchmark_min_time=0.001"]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            failures.append(f"{name}: exit {result.returncode}: {result.stderr[-400:]}")
            continue
        benchmarks = json.loads(result.stdout)["benchmarks"]
        errors = [f"{b['name']}: {b.get('error_message')}" for b in benchmarks if b.get("error_occurred")]
        failures += [f"{name}: {error}" for error in errors]
        if expected is not None and len(benchmarks) != expected:
            failures.append(f"{name}: {len(benchmarks)} benchmarks reported, expected {expected}")
        print(f"{name}: {len(benchmarks)} benchmarks, {len(errors)} errors")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
