"""Markdown before → after tables from two bench/hotpaths.py (or bench/cpu.py --json) result files.

python bench/hotpaths_table.py bench/out/hotpaths-before.json bench/out/hotpaths-after.json
python bench/hotpaths_table.py --cpu sqlite bench/out/cpu-sqlite-before.json bench/out/cpu-sqlite-after.json
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


def cpu_table(engine: str, before_path: str, after_path: str) -> None:
    """The same for two bench/cpu.py --json files (CPU per request in the app process).

    Files written before bench/cpu.py (by hotpaths_cpu.py) keep the bare view apart as `ceiling`.
    """
    before, after = json.load(open(before_path)), json.load(open(after_path))
    bare = {
        name: data.get("ceiling") or next(r for r in data["rows"] if r["name"] == "bare view")
        for name, data in (("before", before), ("after", after))
    }
    print(f"### {engine}, scale 0.1: CPU per request (bench/cpu.py, {after['n']} requests)\n")
    print(f"Bare view: {bare['before']['cpu_ms']} ms before, {bare['after']['cpu_ms']} ms after.\n")
    print("| route | of ceiling before → after | CPU ms before → after | wall ms before → after |")
    print("|---|---:|---:|---:|")
    rows_before = {row["name"]: row for row in before["rows"]}
    for row in after["rows"]:
        old = rows_before[row["name"]]
        print(
            f"| {row['name']} | {old['of_ceiling']:.1%} → **{row['of_ceiling']:.1%}** "
            f"| {old['cpu_ms']} → {row['cpu_ms']} | {old['wall_ms']} → {row['wall_ms']} |"
        )
    print()


if __name__ == "__main__":
    if sys.argv[1] == "--cpu":
        cpu_table(*sys.argv[2:5])
    else:
        main(sys.argv[1], sys.argv[2])
