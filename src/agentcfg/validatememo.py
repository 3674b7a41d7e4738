"""The warm path of `validate`: reuse the last report when none of its inputs changed.

A validation report is a pure function of agentcfg's version, the ``--env`` asked for, the
repository boundary, and the files the manifest loader and the checks asked the working tree
about (the manifest, overlays present or absent, every referenced file and data path). Each run
records those through a :class:`~agentcfg.lockmemo.RecordingTree` and saves their stat
signatures next to the report in ``.agentcfg/cache/validate-inputs.json``; the next run compares
signatures first and, when nothing changed, prints the saved report without parsing anything
(a warm `validate` of a 500-agent project takes milliseconds, against ~2 s for the full work).

Like the lock memo it is an optimisation only: an input modified within
:data:`~agentcfg.statcache.RACY_NS` of being recorded, an unreadable memo or another agentcfg
version means the full validation runs. This module imports nothing heavy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcfg.lockmemo import find_root, signatures_hold, trusted_signatures
from agentcfg.statcache import now_ns

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
    if not signatures_hold(root, entry.get("files")):
        return None
    if not _refs_hold(entry.get("refs", [])):
        return None
    report = entry.get("report")
    return report if isinstance(report, dict) else None


def _refs_hold(refs: Any) -> bool:
    """Every local code ref the report resolved still names the same commit (a ref can appear or move)."""
    from agentcfg.lockmemo import git_tip

    return isinstance(refs, list) and all(
        isinstance(r, list) and len(r) == 3 and git_tip(r[0], r[1]) == r[2] for r in refs)


def save(root: Path, boundary: Path, env: str | None, files: set[str], report: dict[str, Any], *,
         refs: list[tuple[str, str, str]] | None = None) -> None:
    """Remember ``report`` with the signatures of ``files`` (best effort; skipped when racy)."""
    from agentcfg import __version__
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    if boundary != repo_boundary(root):
        return  # git places the repository elsewhere (GIT_DIR?): the fast check could not vouch
    signatures = trusted_signatures(root, files, now_ns())
    if signatures is None:
        return  # modified moments ago: a same-tick edit could keep its signature
    path = root / ".agentcfg" / "cache" / MEMO_NAME
    try:
        memo = json.loads(path.read_bytes())
        runs = memo["runs"] if memo.get("format_version") == MEMO_FORMAT and memo.get("agentcfg") == __version__ else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        runs = {}
    runs = {k: v for k, v in runs.items() if isinstance(v, dict)}
    runs[env or ""] = {"boundary": str(boundary), "files": signatures, "report": report,
                       "refs": [list(r) for r in refs or []]}
    try:
        ensure_state_dir(root / ".agentcfg")
        atomic_write(path, json.dumps({"format_version": MEMO_FORMAT, "agentcfg": __version__, "root": str(root),
                                       "runs": runs}, separators=(",", ":")), cache=True)
    except OSError:
        pass  # a read-only checkout still validates, just without the warm path
