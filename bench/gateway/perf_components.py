#!/usr/bin/env python3
"""Share of a gateway's CPU samples per component, from `perf script` output of a `perf record -g` run.

usage: perf script -i perf.data | perf_components.py
Run the gateway with DOTNET_PerfMapEnabled=1 (and DOTNET_EnableWriteXorExecute=0) so managed frames have names.
A sample counts for the first component (in the order below) any frame of its stack belongs to; stacks cut at an
async continuation (a thread-pool or receive-thread callback) count for what the callback runs.
"""
import collections
import re
import sys

COMPONENTS = [
    ("measurement log", [r"MeasurementLog"]),
    ("journal (SQLite, fsync)", [r"RoundJournal"]),
    ("ledger outbox", [r"OutboxDispatcher", r"SettlementOutbox", r"EmbeddedLedger"]),
    ("status board", [r"GatewayStatusBoard", r"FeederFlows", r"DeviceLink::ToHealth"]),
    ("dispatch (setpoint writes)", [r"WriteSetpoint", r"RoundRunner\+<Dispatch", r"RoundRunner::Dispatch"]),
    ("market round (quote, clear, settle)", [r"MarketCore", r"RoundPlanner", r"Gateway\.Market\.", r"RoundRunner"]),
    ("polling (driver, Modbus client, Polly)", [r"DevicePoller", r"ModbusDeviceDriver", r"Gateway\.Drivers\.Modbus", r"Polly\.", r"DeviceLink"]),
    ("SQLite, caller not on the stack (measurement log, journal, outbox)", [r"libe_sqlite3\.so"]),
    ("file sync and writes in the kernel (journal, logs)", [r"fsync", r"ext4_", r"jbd2", r"vfs_write"]),
    ("socket I/O in the kernel (polling, dispatch)", [r"tcp_", r"sock_", r"__sys_sendto", r"__sys_recvfrom", r"^Modbus TCP rece"]),
    ("JIT compiler", [r"libclrjit\.so", r"Tiered Com"]),
    ("timers, thread pool, other runtime", [r"TimerQueue", r"ThreadPool", r"libcoreclr\.so", r"System\.Private\.CoreLib", r"\[JIT\]"]),
]


def stacks(lines):
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        frames.append(line)
    if frames:
        yield frames


def main():
    counts = collections.Counter()
    total = 0
    compiled = [(name, [re.compile(p) for p in pats]) for name, pats in COMPONENTS]
    for frames in stacks(sys.stdin):
        total += 1
        text = "\n".join(frames)
        for name, pats in compiled:
            if any(p.search(text) for p in pats) or any(p.pattern.startswith("^") and p.search(frames[0]) for p in pats):
                counts[name] += 1
                break
        else:
            counts["kernel only (scheduling, sockets, page faults)" if "kernel" in text or "[k]" in text else "unattributed"] += 1
    print(f"| component | share of the gateway's CPU samples |")
    print("|---|---:|")
    for name, _ in COMPONENTS + [("kernel only (scheduling, sockets, page faults)", []), ("unattributed", [])]:
        if counts[name]:
            print(f"| {name} | {100.0 * counts[name] / total:.1f} % |")
    print(f"\n{total} samples")


if __name__ == "__main__":
    main()
