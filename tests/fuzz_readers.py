"""The longer fuzz: many seeded mutations per format, read and built, a markdown summary table.

    python tests/fuzz_readers.py --mutations 1000 --seed 7

Every outcome must be a table built into N-Quads or one clean InputError (by its ``code``);
anything else is listed as a crash (a traceback a user would see) with the case's index, so
``tests.fuzzing.mutations(kind, N, seed)`` reproduces it. ``--read-only`` skips building. The
bounded version runs in the suite (``tests/test_readers_fuzz.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import SEEDS, fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=1000, help="per format")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--formats", default=",".join(SEEDS), help="comma-separated")
    parser.add_argument("--read-only", action="store_true", help="read the tables, do not build")
    args = parser.parse_args()
    print(
        "| format | mutations | built | refused cleanly (by error code) | crashes | slowest (s) "
        "| peak RSS MB |"
    )
    print("|---|---:|---:|---|---:|---:|---:|")
    crashed = 0
    started = time.perf_counter()
    for kind in args.formats.split(","):
        outcome = fuzz(kind, args.mutations, args.seed, build=not args.read_only)
        codes = ", ".join(f"{code} {n}" for code, n in outcome.refused.most_common())
        print(
            f"| {kind} | {outcome.total:,} | {outcome.built:,} | {codes} | "
            f"{len(outcome.crashes)} | {outcome.slowest:.2f} | {outcome.peak_mb:.0f} |",
            flush=True,
        )
        for index, what in outcome.crashes:
            print(f"  crash: {kind} seed {args.seed} case {index}: {what}", file=sys.stderr)
        crashed += len(outcome.crashes)
    print(f"\n{time.perf_counter() - started:.0f} s in all; {crashed} crashes")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
