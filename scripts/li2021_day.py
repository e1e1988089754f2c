#!/usr/bin/env python3
"""Writes one simulated day of hil-rigs/li2021-paper: the rig with its 15 EVs drawn from the distributions below.

  scripts/li2021_day.py --day N [--lateral-kw KW] [--base RIG] --out FILE

Day N draws with seed 2021 + N (Python's Mersenne Twister: the same draw on every machine); the committed rig holds
day 0. --lateral-kw sets the limit of the line tagged '# swept' (the workplace lateral); 'none' lifts it.
The distributions are the rig's documented assumptions (hil-rigs/li2021-paper/README.md):

  workplace EVs (ev-w*, node n3): arrive 07:00-09:30, stay 7-10 h; 6 of 9 arrive low (SoC 12-40 %, want 70-90 %),
                                  3 arrive with surplus (SoC 75-95 %, keep 40-60 %)
  day-home EVs (ev-d*, node n2):  at home all day (06:00-08:00 to 16:00-19:00) with surplus to sell (SoC 75-95 %,
                                  keep 35-55 %): shift workers, home offices
  evening EVs (ev-h*, node n2):   arrive 16:30-19:30, stay to 23:59; low (SoC 20-45 %, want 75-90 %)
  every EV: battery 40/50/60/64/75 kWh, charger 7.4 or 11 kW both ways
"""
import argparse, random, re, sys

def quarter(rng, start_h, end_h):
    q = rng.randint(int(start_h * 4), int(end_h * 4))
    return q / 4.0

def hhmm(hours):
    hours = min(hours, 23 + 59 / 60)
    h = int(hours); m = int(round((hours - h) * 60))
    if m == 60: h, m = h + 1, 0
    return f"{h:02d}:{m:02d}"

def draw(rng, group, index):
    battery = rng.choice([40, 50, 60, 64, 75])
    power = rng.choice([7.4, 11])
    if group == "w":
        arrive = quarter(rng, 7, 9.5)
        leave = arrive + quarter(rng, 7, 10)
        surplus = index >= 6
    elif group == "d":
        arrive = quarter(rng, 6, 8)
        leave = quarter(rng, 16, 19)
        surplus = True
    else:
        arrive = quarter(rng, 16.5, 19.5)
        leave = 23 + 59 / 60
        surplus = False
    if group == "d":
        soc = rng.randint(75, 95); target = rng.randint(35, 55)
    elif surplus:
        soc = rng.randint(75, 95); target = rng.randint(40, 60)
    else:
        soc = rng.randint(12, 40) if group == "w" else rng.randint(20, 45)
        target = rng.randint(70, 90)
    return (f"sim: {{ batteryKwh: {battery}, socAtArrivalPercent: {soc}, arrival: \"{hhmm(arrive)}\", departure: \"{hhmm(leave)}\", "
            f"targetSocPercent: {target}, maxChargeKw: {power}, maxDischargeKw: {power}, rampKwPerSecond: 5 }}")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--day", type=int, required=True)
    p.add_argument("--lateral-kw", default=None)
    p.add_argument("--base", default="hil-rigs/li2021-paper/rig.yaml")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    lines = open(a.base).read().split("\n")
    rng = random.Random(2021 + a.day)
    current = None
    out = []
    for line in lines:
        m = re.match(r"\s*- id: (ev-([wdh])(\d+))\s*$", line)
        if m:
            current = (m.group(2), int(m.group(3)) - 1)
        if current and re.match(r"\s*sim: \{", line):
            indent = line[: len(line) - len(line.lstrip())]
            line = indent + draw(rng, *current)
            current = None
        if a.lateral_kw is not None and "# swept" in line:
            limit = "100000" if a.lateral_kw == "none" else a.lateral_kw
            line = re.sub(r"limitKw: [0-9.]+", f"limitKw: {limit}", line)
        out.append(line)
    open(a.out, "w").write("\n".join(out))

if __name__ == "__main__":
    sys.exit(main())
