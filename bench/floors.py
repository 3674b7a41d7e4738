"""The floor of a cold command: the work no implementation can skip, run as its own process.

``python bench/floors.py worktree`` (in a project folder) reads every file git tracks there,
parses each YAML or JSON one (libyaml's event stream, the fastest YAML reader Python has; JSON
with ``json.loads``), and hashes every file with sha256: what `validate` and `lock --check`
must at least do. ``python bench/floors.py git REV [REV ...]`` does the same for the files of
commits, read from git objects in one ``git cat-file --batch`` conversation, each distinct blob
once: what `diff` (two commits) and `promote` (one) must at least do.

A command's distance to its floor is the price of what it adds: building values and positions
rather than only scanning events, type checks, cross-reference and secret checks, canonical
JSON for digests, rendering, writing results. The bench prints the floor next to each cold row.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

PARSED = (".yaml", ".yml", ".json")


def parse(path: str, data: bytes) -> None:
    if not path.endswith(PARSED):
        return
    text = data.decode("utf-8")
    if path.endswith(".json") or text.lstrip()[:1] == "{":
        try:
            json.loads(text)
            return
        except ValueError:
            pass  # YAML that starts like JSON: read it as YAML
    from _ruamel_yaml import CParser

    next_event = CParser(text).get_event
    while type(next_event()).__name__ != "StreamEndEvent":
        pass


def worktree() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        if name:
            data = Path(name).read_bytes()
            hashlib.sha256(data).digest()
            parse(name, data)


def commits(revs: list[str]) -> None:
    blobs: dict[str, str] = {}  # object id -> a path it has (for its kind)
    for rev in revs:
        listed = subprocess.run(["git", "ls-tree", "-r", "-z", rev], capture_output=True, check=True).stdout
        for line in listed.decode().split("\0"):
            if line:
                meta, path = line.split("\t", 1)
                blobs.setdefault(meta.split()[2], path)
    batch = subprocess.run(["git", "cat-file", "--batch"], input="\n".join(blobs).encode() + b"\n",
                           capture_output=True, check=True).stdout
    at = 0
    for path in blobs.values():  # cat-file answers in the order it was asked
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        data = batch[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        hashlib.sha256(data).digest()
        parse(path, data)


def main(argv: list[str]) -> int:
    if argv[:1] == ["worktree"]:
        worktree()
    elif argv[:1] == ["git"] and argv[1:]:
        commits(argv[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
