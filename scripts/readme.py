#!/usr/bin/env python3
"""Assemble README.md from docs/readme-head.md and the area sections in docs/readme-parts/.

Each area keeps its own section (commands, tests, benchmark numbers) next to its code's
owners; this keeps the README one page without copying text by hand."""
import pathlib, re
root = pathlib.Path(__file__).resolve().parent.parent
order = ["market", "modbus", "devices", "mqtt", "mqtt-devices", "operator", "ledger-embedded", "fabric", "dayahead"]
parts = root / "docs" / "readme-parts"
out = [(root / "docs" / "readme-head.md").read_text().rstrip() + "\n\n# Areas in detail\n"]
names = [n for n in order if (parts / f"{n}.md").exists()] + sorted(p.stem for p in parts.glob("*.md") if p.stem not in order)
for name in names:
    text = (parts / f"{name}.md").read_text().strip()
    # One level deeper, so every area sits under "Areas in detail".
    text = re.sub(r"^(#{1,5}) ", lambda m: "#" + m.group(1) + " ", text, flags=re.M)
    # Some parts link relative to docs/readme-parts/ ("../figures/x"); the README sits at the root.
    text = text.replace("](../../", "](").replace("](../", "](docs/")
    out.append(text + "\n")
(root / "README.md").write_text("\n".join(out))
print("README.md:", ", ".join(names))
