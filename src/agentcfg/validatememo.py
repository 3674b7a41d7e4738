"""The warm path of `validate`: reuse the last report when none of its inputs changed.

A validation report is a pure function of agentcfg's version, the ``--env`` asked for, the
repository boundary, and the files the manifest loader and the checks asked the working tree
about (the manifest, overlays present or absent, every referenced file and data path). Each run
records those through a :class:`~agentcfg.lockmemo.RecordingTree` and saves their stat
signatures next to the report in ``.agentcfg/cache/validate-inputs.json``; the next run compares
signatures first and, when nothing changed, prints the saved report without parsing anything
(issue 8: warm `validate` of a 500-agent project ≤ 400 ms, against ~2 s for the full work).

Like the lock memo it is an optimisation only: an input modified within
:data:`~agentcfg.statcache.RACY_NS` of being recorded, an unreadable memo or another agentcfg
version means the full validation runs. This module imports nothing heavy.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agentcfg.lockmemo import file_signature, find_root
from agentcfg.statcache import RACY_NS, now_ns

MEMO_FORMAT = 1
MEMO_NAME = "validate-inputs.json"


def repo_boundary(root: Path) -> Path:
    """The folder holding ``.git`` at or above ``root`` (the repository's top), else ``root``."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root


def fresh_report(start: Path | str, env: str | None) -> dict[str, Any] | None:
    """The saved report (as ``ValidationReport.to_dict``) when its inputs are unchanged, else None."""
    from agentcfg import __version__

    root = find_root(start)
    if root is None:
        return None
    try:
        memo = json.loads((root / ".agentcfg" / "cache" / MEMO_NAME).read_bytes())
        entry = memo["runs"][env or ""]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if memo.get("format_version") != MEMO_FORMAT or memo.get("agentcfg") != __version__:
        return None
    if memo.get("root") != str(root) or entry.get("boundary") != str(repo_boundary(root)):
        return None
    files = entry.get("files")
    prefix = str(root) + os.sep  # string joins: thousands of Path objects cost tens of ms here
    if not isinstance(files, dict) or any(file_signature(prefix + rel) != sig for rel, sig in files.items()):
        return None
    report = entry.get("report")
    return report if isinstance(report, dict) else None


def save(root: Path, boundary: Path, env: str | None, files: set[str], report: dict[str, Any]) -> None:
    """Remember ``report`` with the signatures of ``files`` (best effort; skipped when racy)."""
    from agentcfg import __version__
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    if boundary != repo_boundary(root):
        return  # git places the repository elsewhere (GIT_DIR?): the fast check could not vouch
    created = now_ns()
    signatures: dict[str, list[int] | None] = {}
    prefix = str(root) + os.sep
    for rel in sorted(files):
        sig = file_signature(prefix + rel)
        if sig is not None and sig[1] >= created - RACY_NS:
            return  # modified moments ago: a same-tick edit could keep this signature
        signatures[rel] = sig
    path = root / ".agentcfg" / "cache" / MEMO_NAME
    try:
        memo = json.loads(path.read_bytes())
        runs = memo["runs"] if memo.get("format_version") == MEMO_FORMAT and memo.get("agentcfg") == __version__ else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        runs = {}
    runs = {k: v for k, v in runs.items() if isinstance(v, dict)}
    runs[env or ""] = {"boundary": str(boundary), "files": signatures, "report": report}
    try:
        ensure_state_dir(root / ".agentcfg")
        atomic_write(path, json.dumps({"format_version": MEMO_FORMAT, "agentcfg": __version__, "root": str(root),
                                       "runs": runs}, separators=(",", ":")), cache=True)
    except OSError:
        pass  # a read-only checkout still validates, just without the warm path
