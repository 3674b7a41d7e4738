"""`git log -- releases/ENV.json`, kept between runs: a release file's history only grows.

`history` reads every transition of an environment; with 5,000 releases, `git log` with trailers
takes ~0.12 s. The parsed log is kept in ``.agentcfg/cache/history/<env>.json`` with the HEAD
it was read at and the repository's shallow boundary. The next run:

* same HEAD and same shallow boundary: the same history, since a commit id names its whole
  ancestry — but only the part git has: `git fetch --unshallow` keeps HEAD and adds every older
  commit, so the boundary (a digest of ``$GIT_DIR/shallow``) is part of the key;
* a HEAD that extends the cached one by commits without merges (each promotion, rollback and
  ordinary commit), same boundary: only those commits are logged and put in front of the cached
  ones, which is exactly what a full `git log` of a linear extension gives;
* anything else (a rewritten or merged history, a deepened or unshallowed clone, other code, an
  unreadable cache): the full log, cached again.

Rows only say which commits touched the file; every release `rollback` restores is read from
git objects and checked against its digest, never taken from here.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from agentcfg import gitio
from agentcfg.errors import GitError
from agentcfg.warm.lockinputs import shallow_marker
from agentcfg.warm.rule import code_digest

CACHE_FORMAT = 2


def cached_log(state_dir: Path, top: Path, env: str, path: str) -> list[gitio.PathCommit]:
    """``gitio.log_path(top, path)``, reusing the cached log of ``env``'s release file."""
    from agentcfg.gitio.paths import _run

    try:
        head = _run(top, "rev-parse", "--quiet", "--verify", "HEAD^{commit}").strip()
    except GitError:
        return []  # no commits yet
    file = state_dir / "cache" / "history" / f"{env}.json"
    boundary = shallow_marker(str(top))
    key = [code_digest(), path, boundary]
    cached = _load(file, key) if boundary != "?" else None
    if cached is not None and cached[0] == head:
        return cached[1]
    if cached is not None and _linear_extension(top, cached[0], head):
        rows = gitio.log_path(top, path, revs=f"{cached[0]}..{head}") + cached[1]
    else:
        rows = gitio.log_path(top, path, revs=head)
    if boundary != "?":
        _save(state_dir, file, {"format_version": CACHE_FORMAT, "key": key, "head": head,
                                "rows": [asdict(r) for r in rows]})
    return rows


def _linear_extension(top: Path, old: str, new: str) -> bool:
    """Whether ``new`` descends from ``old`` through commits that are not merges."""
    from agentcfg.gitio.paths import _run

    try:
        _run(top, "merge-base", "--is-ancestor", old, new)
        return bool(str(_run(top, "rev-list", "--count", "--merges", f"{old}..{new}")).strip() == "0")
    except GitError:
        return False


def _load(file: Path, key: list[str]) -> tuple[str, list[gitio.PathCommit]] | None:
    try:
        blob = json.loads(file.read_bytes())
        if (blob["format_version"], blob["key"]) != (CACHE_FORMAT, key):
            return None
        return str(blob["head"]), [gitio.PathCommit(**row) for row in blob["rows"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(state_dir: Path, file: Path, blob: dict[str, object]) -> None:
    from agentcfg.canonical import atomic_write
    from agentcfg.jsonwrite import compact_json
    from agentcfg.project import ensure_state_dir

    try:
        ensure_state_dir(state_dir)
        atomic_write(file, compact_json(blob), cache=True)
    except OSError:
        pass
