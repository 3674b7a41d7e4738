"""The warm path of `validate`: reuse the last report when the working tree answers the same.

A validation report is a pure function of agentcfg's code, the ``--env`` asked for, the
repository boundary, the commits the local code refs name (or that they name none), and what
the working tree answered while the manifest was loaded and checked (:mod:`agentcfg.warm.answers`: where each path leads, what kind it is, its bytes). Each
run records those answers next to the report in ``.agentcfg/cache/validate-inputs.json``; the
next run asks them again and, when every answer is the same, returns the saved report without
parsing anything. A file that was fixed, swapped for a symlink or edited with its mtime put
back is a different answer, so its report is computed again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcfg.warm.answers import Answers
from agentcfg.warm.lockinputs import find_root, git_tip
from agentcfg.warm.rule import code_digest

MEMO_FORMAT = 2
MEMO_NAME = "validate-inputs.json"


def repo_boundary(root: Path) -> Path:
    """The folder holding ``.git`` at or above ``root`` (the repository's top), else ``root``."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root


def fresh_report(start: Path | str, env: str | None) -> dict[str, Any] | None:
    """The saved report (as ``ValidationReport.to_dict``) when its inputs are unchanged, else None."""
    root = find_root(start)
    if root is None:
        return None
    try:
        memo = json.loads((root / ".agentcfg" / "cache" / MEMO_NAME).read_bytes())
        entry = memo["runs"][env or ""]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if memo.get("format_version") != MEMO_FORMAT or memo.get("code") != code_digest():
        return None
    boundary = str(repo_boundary(root))
    if memo.get("root") != str(root) or entry.get("boundary") != boundary:
        return None
    answers = Answers.from_json(entry.get("answers"))
    if answers is None or answers.root != str(root):
        return None  # recorded in another copy of the repository
    if not answers.holds(boundary) or not _refs_hold(entry.get("refs")):
        return None
    report = entry.get("report")
    return report if isinstance(report, dict) else None


def _refs_hold(refs: Any) -> bool:
    """Every local code ref still names the commit it named (or still names none): a ref can
    appear, vanish or move without any file of the working tree changing."""
    return isinstance(refs, list) and all(
        isinstance(r, list) and len(r) == 3 and (git_tip(r[0], r[1]) or "") == r[2] for r in refs)


def save(root: Path, boundary: Path, env: str | None, answers: Answers, report: dict[str, Any], *,
         refs: list[tuple[str, str, str]] | None = None) -> None:
    """Remember ``report`` with the answers and code refs it was computed from (best effort)."""
    from agentcfg.canonical import atomic_write
    from agentcfg.jsonwrite import compact_json
    from agentcfg.project import ensure_state_dir

    if boundary != repo_boundary(root):
        return  # git places the repository elsewhere (GIT_DIR?): the fast check could not vouch
    path = root / ".agentcfg" / "cache" / MEMO_NAME
    try:
        memo = json.loads(path.read_bytes())
        runs = memo["runs"] if memo.get("format_version") == MEMO_FORMAT and memo.get("code") == code_digest() else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        runs = {}
    runs = {k: v for k, v in runs.items() if isinstance(v, dict)}
    runs[env or ""] = {"boundary": str(boundary), "answers": answers.to_json(), "report": report,
                       "refs": [list(r) for r in refs or []]}
    try:
        ensure_state_dir(root / ".agentcfg")
        atomic_write(path, compact_json({"format_version": MEMO_FORMAT, "code": code_digest(), "root": str(root),
                                         "runs": runs}), cache=True)
    except OSError:
        pass  # a read-only checkout still validates, just without the warm path
