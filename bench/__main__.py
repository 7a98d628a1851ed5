"""Run every benchmark: ``.venv/bin/python -m bench [--quick] [--only core,analytics,...]``.

Each benchmark prints its figures beside a reference measured in the same run (these machines
are noisy, so read the ratios). Full size is the issue's 1M customers / 10M ties and takes a
while (about an hour in all on 2 cores); ``--quick`` runs every benchmark at 100k / 1M to check
they work. The Neo4j benchmark needs a running server (``make neo4j-start``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

BENCHES = ["core", "analytics", "ingest", "figures", "api_load", "neo4j_store"]
# the issues' sizes where a benchmark's own default is smaller
FULL = {
    "api_load": ["--customers", "1000000", "--ties", "10000000"],
    "neo4j_store": ["--customers", "100000", "--ties", "1000000"],
}
QUICK = {
    "core": ["--customers", "100000", "--ties", "1000000"],
    "analytics": ["--customers", "100000", "--ties", "1000000", "--small", "5000"],
    "ingest": ["--events", "2000000", "--customers", "20000", "--ties", "100000"],
    "figures": ["--customers", "100000", "--ties", "1000000"],
    "api_load": ["--customers", "100000", "--ties", "1000000", "--seconds", "5"],
    "neo4j_store": ["--customers", "20000", "--ties", "100000"],
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, to check they run")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHES)}")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else BENCHES
    unknown = set(chosen) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failed = []
    for name in chosen:
        print(f"\n##### bench.{name}", flush=True)
        extra = QUICK[name] if args.quick else FULL.get(name, [])
        if subprocess.run([sys.executable, "-m", f"bench.{name}", *extra]).returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
