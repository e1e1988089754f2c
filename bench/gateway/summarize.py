#!/usr/bin/env python3
"""Mean ± sd (median) of every numeric column over the result tables of repeated `Gateway.Bench cycle` runs.

usage: summarize.py RUN_OUTPUT...   (each file holds one run's stdout: a markdown table with one data row)
"""
import statistics
import sys


def rows(path):
    """One dict per run: the data row of each table in the file (the cycle table, then the round-step table), merged."""
    tables, current = [], []
    for line in open(path, encoding="utf-8"):
        if line.strip().startswith("|"):
            current.append(line.strip())
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    merged = {}
    for table in tables:
        if len(table) < 3:
            continue
        header = [c.strip() for c in table[0].strip("|").split("|")]
        cells = [c.strip() for c in table[2].strip("|").split("|")]
        merged.update({h: c for h, c in zip(header, cells) if h not in merged})
    if merged:
        yield merged


def number(text):
    try:
        return float(text.replace("%", "").replace(",", "").split()[0])
    except (ValueError, IndexError):
        return None


def main(paths):
    by_devices = {}
    failed = []
    for p in paths:
        got = list(rows(p) or [])
        if not got:
            failed.append(p)
        for r in got:
            by_devices.setdefault(r.get("devices", "?"), []).append(r)
    for devices, runs in by_devices.items():
        print(f"## {devices} devices, {len(runs)} runs")
        print("| measure | mean ± sd | median | min | max |")
        print("|---|---:|---:|---:|---:|")
        for column in runs[0]:
            if column == "devices":
                continue
            values = [v for v in (number(r.get(column, "")) for r in runs) if v is not None]
            if not values:
                continue
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            print(f"| {column} | {statistics.mean(values):.1f} ± {sd:.1f} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} |")
    if failed:
        print(f"runs without a result: {len(failed)} ({', '.join(failed)})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
