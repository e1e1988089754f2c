#!/usr/bin/env python3
"""Rewrites the generated parts of docs/reliability.md from the rows the reliability tests wrote.

  reliability_doc.py matrix RESULTS_DIR DOC [--note TEXT]   the fault table (between the fault-table markers)
  reliability_doc.py soak RESULTS_JSON DOC [--note TEXT]    the soak numbers (between the soak markers)
"""
import json, os, sys

ORDER = ["device slow", "device silent", "device flapping", "Modbus exception", "garbled frame",
         "disconnect mid-frame", "broker restart", "ledger down", "ledger peer down", "journal disk full", "clock jump", "kill -9 loop"]


def replace_between(doc, name, body):
    text = open(doc, encoding="utf-8").read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        sys.exit(f"{doc}: markers {begin} … {end} not found")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    open(doc, "w", encoding="utf-8").write(head + begin + "\n" + body.rstrip() + "\n" + end + tail)


def fmt_recovery(row):
    s = row.get("RecoverySeconds")
    return "never" if s is None else f"{s:.2f} s"


def matrix(results, doc, note):
    rows = {}
    for name in os.listdir(results):
        if name.endswith(".json"):
            row = json.load(open(os.path.join(results, name), encoding="utf-8"))
            rows[row["Fault"]] = row
    missing = [f for f in ORDER if f not in rows]
    lines = ["| fault | injected | rounds | rounds affected | setpoints received | lost | doubled | same value re-sent | over a limit | settlements | lost | doubled | ledger verify | time to recover |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|---:|"]
    for fault in ORDER + sorted(set(rows) - set(ORDER)):
        if fault not in rows:
            continue
        r = rows[fault]
        note_r = f" ({r['RecoveryNote']})" if r.get("RecoveryNote") and fault in ("kill -9 loop", "ledger down", "ledger peer down") else ""
        lines.append(f"| {fault} | {r['Injected']} | {r['Rounds']} | {r['RoundsAffected']} | {r['SetpointsWritten']} | {r['SetpointsLost']} | {r['SetpointsDoubled']} | "
                     f"{r['SameValueResent']} | {r['OverLimit']} | {r['Settlements']} | {r['SettlementsLost']} | {r['SettlementsDoubled']} | "
                     f"{'intact' if r['LedgerVerified'] else 'BROKEN'} | {fmt_recovery(r)}{note_r} |")
    if missing:
        lines.append("")
        lines.append("Not in this run (the test failed or was not run): " + ", ".join(missing) + ".")
    if note:
        lines += ["", note]
    replace_between(doc, "fault-table", "\n".join(lines))


def soak(results, doc, note):
    d = json.load(open(results, encoding="utf-8"))
    r, f = d["row"], d["flat"]
    lines = [
        f"| run | devices | simulated | real time | faults (device / link) | rounds | affected | setpoints received | lost | doubled | over a limit | settlements | lost | doubled | ledger verify |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
        f"| seed {r['Seed']} | {d['devices']} | {d['hours']:g} h at {d['scale']:g}× | {d['wallSeconds'] / 60:.1f} min | {d['deviceFaults']} / {d['linkFaults']} | {r['Rounds']} | {r['RoundsAffected']} | "
        f"{r['SetpointsWritten']} | {r['SetpointsLost']} | {r['SetpointsDoubled']} | {r['OverLimit']} | {r['Settlements']} | {r['SettlementsLost']} | {r['SettlementsDoubled']} | "
        f"{'intact' if r['LedgerVerified'] else 'BROKEN'} |",
        "",
        "| sampled from /proc and the file system | second quarter (after warm-up) | last quarter | asserted |",
        "|---|---:|---:|---|",
        f"| resident memory (median) | {f['RssEarlyMb']:.0f} MB | {f['RssLateMb']:.0f} MB (×{f['RssGrowth']:.2f}) | ≤ ×1.5 |",
        f"| open handles (median → max) | {f['HandlesEarly']} | {f['HandlesLateMax']} (+{f['HandleGrowth']}) | ≤ +25 |",
        f"| sockets (median → max) | {f['SocketsEarly']} | {f['SocketsLateMax']} (+{f['SocketGrowth']}) | ≤ +10 |",
        f"| journal growth per round | {f['JournalBytesPerRoundEarly'] / 1024:.1f} KiB | {f['JournalBytesPerRoundLate'] / 1024:.1f} KiB (×{f['JournalBytesPerRoundGrowth']:.2f}) | ≤ ×2 |",
        f"| journal WAL (max over the run) | | {f['MaxWalMb']:.1f} MB | ≤ 64 MB |",
        f"| measurement log at the end | | {f['MeasurementsMbEnd']:.1f} MB | (grows until its 2-day retention) |",
    ]
    if note:
        lines += ["", note]
    replace_between(doc, "soak", "\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("matrix", "soak"):
        sys.exit(__doc__)
    note = sys.argv[sys.argv.index("--note") + 1] if "--note" in sys.argv else ""
    (matrix if sys.argv[1] == "matrix" else soak)(sys.argv[2], sys.argv[3], note)
