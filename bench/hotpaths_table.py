"""Markdown before → after table from two bench/hotpaths.py result files (same session).

    python bench/hotpaths_table.py bench/out/hotpaths-before.json bench/out/hotpaths-after.json
"""

import json
import sys


def main(before_path: str, after_path: str) -> None:
    before = json.load(open(before_path))
    after = json.load(open(after_path))
    for engine_before, engine_after in zip(before["engines"], after["engines"], strict=True):
        engine = engine_after["engine"]
        print(f"### {engine}, scale 0.1\n")
        print(
            f"Ceiling (bare Django JSON view, measured in each run): before "
            f"{engine_before['ceiling']['rps']} req/s, after {engine_after['ceiling']['rps']} req/s.\n"
        )
        print(
            "| route | of ceiling before → after | req/s before → after | "
            "p50 ms before → after | p99 ms before → after | queries before → after |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        rows_before = {row["name"]: row for row in engine_before["endpoints"]}
        for row in engine_after["endpoints"]:
            old = rows_before.get(row["name"])
            if old is None:
                continue
            print(
                f"| {row['name']} | {old['ceiling_fraction']:.1%} → **{row['ceiling_fraction']:.1%}** "
                f"| {old['rps']} → {row['rps']} | {old['p50_ms']:.1f} → {row['p50_ms']:.1f} "
                f"| {old['p99_ms']:.1f} → {row['p99_ms']:.1f} | {old['queries']} → {row['queries']} |"
            )
        print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
