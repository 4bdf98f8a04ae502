#!/usr/bin/env python3
"""Fails if any tracked file names a path outside the repository.

A user's clone has nothing beside it, so a relative path that climbs above the repository
root (from the file that names it and from the repository root, where scripts run) is a
broken reference. Lock files are skipped (they hold package names, not paths).
"""
import os
import re
import subprocess
import sys

ROOT = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
SKIP = {"Cargo.lock", "package-lock.json", "shared/fuzz/Cargo.lock"}
# A run of `../` followed by a path, or an absolute path into a sibling of the checkout.
RELATIVE = re.compile(r"(?<![\w./])((?:\.\./)+[\w.@+-]+(?:/[\w.@+-]+)*)")


def escapes(base_dir, target):
    resolved = os.path.normpath(os.path.join(base_dir, target))
    return resolved == ".." or resolved.startswith("../")


def main():
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    problems = []
    for name in (f.decode() for f in files if f):
        if name in SKIP:
            continue
        try:
            with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
                text = handle.read()
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        directory = os.path.dirname(name)
        for number, line in enumerate(text.splitlines(), 1):
            for match in RELATIVE.finditer(line):
                target = match.group(1)
                # Outside both from the file's folder and from the repository root: a path a
                # script run from either place could not find in a clone.
                if escapes(directory, target) and escapes("", target):
                    problems.append(f"{name}:{number}: {target}")
    if problems:
        print("These tracked files name paths outside the repository:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("stand-alone: no tracked file names a path outside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
