#!/usr/bin/env python3
"""Holds README.md's Layout table ("to change | edit | checked by") to the tree: every path it
names exists, and it names every top-level folder of the repository (tracked by git, dot-folders
aside), every module of the shared crate (shared/src/*.rs and shared/src/*/) and every function
(functions/*/). A path is a backticked word with a slash or a file extension; `*` matches as in a
shell. Standard library only:

    python3 scripts/check-layout.py
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SECTION = "## Layout"
FILE = re.compile(r"\.(rs|py|sh|js|mjs|css|html|json|yaml|yml|toml|md|txt|lua|png)$")


def layout_rows():
    """The Layout section's table rows, as lists of cells."""
    text = README.read_text()
    if SECTION not in text:
        sys.exit(f"FAIL: README.md has no '{SECTION}' section")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("|")]
    return rows[2:]  # the header and its rule aside


def paths_in(cell):
    return [w for w in re.findall(r"`([^`\s]+)`", cell)
            if ("/" in w or FILE.search(w) or w in ("Makefile", "LICENSE")) and "::" not in w]


def top_level_folders():
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.splitlines()
        folders = {f.split("/", 1)[0] for f in files if "/" in f}
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: what is there
        folders = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "target"}
    return sorted(f for f in folders if not f.startswith("."))


def main():
    rows = layout_rows()
    named = [p for row in rows for cell in row for p in paths_in(cell)]
    failures, passed = [], 0
    if len(rows) < 10 or not named:
        failures.append(f"README.md's Layout table has {len(rows)} rows naming {len(named)} paths: "
                        "is it still a table ('| to change | edit | checked by |')?")
    for path in sorted(set(named)):
        if list(ROOT.glob(path.rstrip("/"))):
            passed += 1
        else:
            failures.append(f"README.md's Layout table names `{path}`, which does not exist: "
                            "correct the path or remove it")

    def covered(path):
        """Named itself, or (for a folder) through a path inside it."""
        return any(n.rstrip("/") == path.rstrip("/") or (path.endswith("/") and n.startswith(path))
                   for n in named)

    wanted = [f"{d}/" for d in top_level_folders()]
    wanted += sorted(f"shared/src/{p.name}" + ("/" if p.is_dir() else "")
                     for p in (ROOT / "shared/src").iterdir() if p.is_dir() or p.suffix == ".rs")
    wanted += sorted(f"functions/{p.name}/" for p in (ROOT / "functions").iterdir() if p.is_dir())
    for path in wanted:
        if covered(path):
            passed += 1
        else:
            failures.append(f"`{path}` is missing from README.md's Layout table: add a row, or add "
                            f"`{path}` to the row it belongs to")
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"layout check (README.md's Layout table against the tree): {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


main()
