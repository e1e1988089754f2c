#!/usr/bin/env python3
"""Lists the public surface of the libraries in src/: each public top-level type and which production assemblies name it.

Usage: scripts/public-surface.py [src/Drivers ...]   (default: every library in src/ but the executable)

"Production" means the other projects under src/, device-sims and bench/ (tests are not consumers: they see internals
through InternalsVisibleTo). A type no production assembly names is printed with "-": it is public either because a
public signature exposes it (the compiler enforces that) or by mistake. Names are matched as identifiers with comments
and string literals stripped, so an answer is a lead, not a proof; the build is the proof. Rule and reasons:
docs/architecture.md, "Public surface of the libraries".
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRODUCTION = ["src/Drivers", "src/Market", "src/LedgerClient", "src/Rigs", "src/Reporting", "src/Gateway.Runtime", "src/Gateway.Host",
              "device-sims", "bench/Drivers.Bench", "bench/Gateway.Bench", "bench/Ledger.Bench", "bench/Market.Bench"]
LIBRARIES = ["src/Drivers", "src/Market", "src/LedgerClient", "src/Rigs", "src/Reporting", "src/Gateway.Runtime"]

DECLARATION = re.compile(
    r"^((?:public|internal|file)\s+)?(?:(?:static|sealed|abstract|partial|readonly|unsafe|ref)\s+)*"
    r"(class|struct|interface|enum|record(?:\s+struct|\s+class)?|delegate)\s+(?:[\w<>\[\],.? ]+?\s+)?(\w+)\s*[<({:;\n]")
NOISE = re.compile(r'//[^\n]*|/\*.*?\*/|@"(?:[^"]|"")*"|"(?:\\.|[^"\\\n])*"', re.S)


def sources(project):
    for folder, dirs, files in os.walk(os.path.join(ROOT, project)):
        dirs[:] = [d for d in dirs if d not in ("bin", "obj", "node_modules")]
        for name in files:
            if name.endswith(".cs"):
                yield os.path.join(folder, name)


def top_level_types(project):
    """(name, accessibility, file) of every type declared at column 0 (file-scoped namespaces)."""
    for path in sources(project):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = DECLARATION.match(line)
                if m:
                    yield m.group(3), (m.group(1) or "internal").strip(), os.path.relpath(path, ROOT)


def identifiers(project):
    found = set()
    for path in sources(project):
        with open(path, encoding="utf-8") as f:
            found |= set(re.findall(r"[A-Za-z_]\w*", NOISE.sub(" ", f.read())))
    return found


def main(libraries):
    named = {p: identifiers(p) for p in PRODUCTION if os.path.isdir(os.path.join(ROOT, p))}
    for library in libraries:
        types = {}
        for name, access, path in top_level_types(library):
            types.setdefault(name, (access, path))
        public = sorted((n for n, (a, _) in types.items() if a == "public"), key=lambda n: types[n][1])
        print(f"{library}: {len(public)} public / {len(types) - len(public)} internal top-level types")
        for name in public:
            users = [os.path.basename(p) for p, ids in named.items() if p != library and name in ids]
            print(f"  {name:40} {', '.join(users) or '-'}")


if __name__ == "__main__":
    main(sys.argv[1:] or LIBRARIES)
