"""Serial benchmark: our RTU client on System.IO.Ports (driver=ports, the default) and on our termios port
(driver=termios), side by side in one run, against the same RTU server on a socat pseudo-terminal pair, at 9600
and 115200 baud 8E1. Servers: ours (Drivers.Bench serial-server) and pymodbus 3.0 (tests/Drivers.Tests/Peers/
pymodbus_server.py). socat sits between client and server as the "wire" and logs every transfer with a
microsecond timestamp (-x), from which the gaps between frames are measured.

Per run, per (baud, server): one socat and one server; the two clients run one after the other (order alternates
between runs), each: warm-up, START, measured window (reads/s, CPU per read from getrusage), RESULT, idle window
(CPU while the port is open and silent), IDLE.

Usage: serial_bench.py BENCH_DLL PYMODBUS_SERVER RUNS SECONDS [WARMUP] [IDLE]"""
import calendar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

BENCH, PYSERVER = sys.argv[1], sys.argv[2]
RUNS, SECONDS = int(sys.argv[3]), float(sys.argv[4])
WARMUP = float(sys.argv[5]) if len(sys.argv) > 5 else 1.5
IDLE = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
BAUDS = [9600, 115200]
SERVERS = ["ours", "pymodbus"]
DRIVERS = ["ports", "termios"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def char_time(baud):
    return 11.0 / baud  # 8E1: start + 8 data + parity + stop


def t35(baud):
    return 0.00175 if baud > 19200 else 3.5 * char_time(baud)


def t15(baud):
    return 0.00075 if baud > 19200 else 1.5 * char_time(baud)


def proc_cpu_us(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e6 / CLK_TCK


HEADER = re.compile(r"^([<>]) (\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)\s+length=(\d+)")


def wire_chunks(path):
    """(direction, epoch seconds, length) of each transfer socat logged; '>' is client -> server."""
    chunks = []
    with open(path, errors="replace") as f:
        for line in f:
            m = HEADER.match(line)
            if m:
                y, mo, d, h, mi, s = (int(x) for x in m.group(2, 3, 4, 5, 6, 7))
                # socat 1.7.4 prints the microseconds zero-padded to nine digits.
                t = calendar.timegm((y, mo, d, h, mi, s)) + int(m.group(8)) / 1e6
                chunks.append((m.group(1), t, int(m.group(9))))
    return chunks


def frames(chunks):
    """Consecutive transfers in one direction make one frame: [direction, start, end, chunks, largest inner gap]."""
    out = []
    for direction, t, _ in chunks:
        if out and out[-1][0] == direction:
            f = out[-1]
            f[4] = max(f[4], t - f[2])
            f[2] = t
            f[3] += 1
        else:
            out.append([direction, t, t, 1, 0.0])
    return out


def gap_stats(chunks, start, end, baud):
    fr = [f for f in frames([c for c in chunks if start <= c[1] <= end])]
    master = [b[1] - a[2] for a, b in zip(fr, fr[1:]) if a[0] == "<" and b[0] == ">"]
    turnaround = [b[1] - a[2] for a, b in zip(fr, fr[1:]) if a[0] == ">" and b[0] == "<"]
    split = sum(1 for f in fr if f[4] > t15(baud))
    return {
        "frames": len(fr),
        "gap_min_ms": min(master) * 1e3 if master else None,
        "gap_mean_ms": statistics.mean(master) * 1e3 if master else None,
        "gap_short": sum(1 for g in master if g < t35(baud)),
        "gaps": len(master),
        "turn_min_ms": min(turnaround) * 1e3 if turnaround else None,
        "turn_mean_ms": statistics.mean(turnaround) * 1e3 if turnaround else None,
        "turn_short": sum(1 for g in turnaround if g < t35(baud)),
        "split_frames": split,
    }


def start_server(kind, device, baud):
    if kind == "ours":
        cmd = ["dotnet", BENCH, "serial-server", device, str(baud)]
    else:
        cmd = ["/usr/bin/python3", PYSERVER, "rtu", device, str(baud)]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    if not line.startswith("READY"):
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    return p


def run_client(driver, device, baud, server):
    p = subprocess.Popen(["dotnet", BENCH, "serial-client", device, str(baud), driver, str(WARMUP), str(SECONDS), str(IDLE)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    result = {}
    for line in p.stdout:
        if line.startswith("START"):
            result["t_start"] = time.time()
            result["server_cpu0"] = proc_cpu_us(server.pid)
        elif line.startswith("RESULT"):
            result["t_end"] = time.time()
            result["server_cpu1"] = proc_cpu_us(server.pid)
            result.update({k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])})
        elif line.startswith("IDLE"):
            kv = dict(kv.split("=") for kv in line.split()[1:])
            result["idle_cpu_ms_per_s"] = float(kv["cpu_us"]) / 1e3 / float(kv["seconds"])
    p.wait()
    if p.returncode != 0 or "reads" not in result:
        raise RuntimeError(f"client {driver} failed: {p.stderr.read()}")
    return result


def main():
    rows = []
    for run in range(RUNS):
        for baud in BAUDS:
            for server_kind in SERVERS:
                d = tempfile.mkdtemp(prefix="serial-bench-")
                log = os.path.join(d, "wire.log")
                with open(log, "w") as wire:
                    socat = subprocess.Popen(["socat", "-x", f"pty,raw,echo=0,link={d}/client", f"pty,raw,echo=0,link={d}/server"], stderr=wire)
                for _ in range(500):
                    if os.path.exists(f"{d}/client") and os.path.exists(f"{d}/server"):
                        break
                    time.sleep(0.01)
                server = start_server(server_kind, f"{d}/server", baud)
                try:
                    order = DRIVERS if run % 2 == 0 else DRIVERS[::-1]
                    results = {drv: run_client(drv, f"{d}/client", baud, server) for drv in order}
                finally:
                    server.stdin.close()
                    server.wait(timeout=30)
                    socat.kill()
                    socat.wait()
                chunks = wire_chunks(log)
                for drv, r in results.items():
                    row = {
                        "run": run, "baud": baud, "server": server_kind, "driver": drv,
                        "reads_per_s": r["reads"] / r["seconds"],
                        "timeouts": r["timeouts"],
                        "cpu_us_per_read": r["cpu_us"] / max(r["reads"], 1),
                        "p50_ms": r["p50_us"] / 1e3, "p99_ms": r["p99_us"] / 1e3,
                        "idle_cpu_ms_per_s": r["idle_cpu_ms_per_s"],
                        "server_cpu_us_per_req": (r["server_cpu1"] - r["server_cpu0"]) / max(r["reads"], 1),
                    }
                    row.update(gap_stats(chunks, r["t_start"], r["t_end"], baud))
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                for name in os.listdir(d):
                    os.unlink(os.path.join(d, name))
                os.rmdir(d)
    report(rows)


def ms(values, digits=2):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"


def report(rows):
    print()
    print(f"{RUNS} runs; each client {SECONDS:g} s measured after {WARMUP:g} s warm-up, then {IDLE:g} s idle; mean ± sd over runs.")
    print()
    print("| baud | server | driver | reads/s | CPU µs/read | idle CPU ms/s | p50 ms | p99 ms | gap before request: min ms | mean ms | gaps < t3.5 | answer gap: min ms | frames split > t1.5 | timeouts |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for baud in BAUDS:
        for server in SERVERS:
            for drv in DRIVERS:
                sel = [r for r in rows if r["baud"] == baud and r["server"] == server and r["driver"] == drv]
                print(f"| {baud} | {server} | {drv} | {ms([r['reads_per_s'] for r in sel], 1)} | {ms([r['cpu_us_per_read'] for r in sel], 0)} "
                      f"| {ms([r['idle_cpu_ms_per_s'] for r in sel], 1)} | {ms([r['p50_ms'] for r in sel])} | {ms([r['p99_ms'] for r in sel])} "
                      f"| {ms([r['gap_min_ms'] for r in sel])} | {ms([r['gap_mean_ms'] for r in sel])} "
                      f"| {sum(r['gap_short'] for r in sel)} of {sum(r['gaps'] for r in sel)} | {ms([r['turn_min_ms'] for r in sel])} "
                      f"| {sum(r['split_frames'] for r in sel)} | {sum(r['timeouts'] for r in sel):g} |")
    print()
    print("Ratios ports / termios within a run (same server, same socat), mean ± sd over runs:")
    print()
    print("| baud | server | reads/s | CPU per read | idle CPU |")
    print("|---|---|---:|---:|---:|")
    for baud in BAUDS:
        for server in SERVERS:
            pairs = [(p, t) for p in rows for t in rows if p["run"] == t["run"] and p["baud"] == t["baud"] == baud
                     and p["server"] == t["server"] == server and p["driver"] == "ports" and t["driver"] == "termios"]
            print(f"| {baud} | {server} | {ms([p['reads_per_s'] / t['reads_per_s'] for p, t in pairs])} "
                  f"| {ms([p['cpu_us_per_read'] / t['cpu_us_per_read'] for p, t in pairs])} "
                  f"| {ms([p['idle_cpu_ms_per_s'] / max(t['idle_cpu_ms_per_s'], 1e-3) for p, t in pairs])} |")
    print()
    print(f"t3.5: {t35(9600) * 1e3:.2f} ms at 9600, {t35(115200) * 1e3:.2f} ms at 115200; t1.5: {t15(9600) * 1e3:.2f} ms, {t15(115200) * 1e3:.2f} ms.")


if __name__ == "__main__":
    main()
