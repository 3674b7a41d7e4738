"""Turn what a user typed as a side of ``agentcfg diff`` into a config (or a lock's digests).

A side is one of:

* ``.``: the working tree, rendered live;
* ``env:NAME``: the release of environment NAME (``releases/NAME.json`` in the working tree);
* a path to a release file (its ``config``) or to a lock file (digests only);
* anything else: a git revision (``main``, ``HEAD~3``, a SHA), rendered from git objects and
  the lock committed with it (no checkout: the working tree is never touched).

``--env`` renders that environment (overlay applied) for revisions and the working tree; a
lock side then uses that environment's digests. A revision or working tree without an
``agentcfg.yaml`` is an empty config, so the first commit of a project diffs as "all added".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcfg.semdiff.result import Side
from agentcfg.errors import AgentcfgError, Location, UsageError
from agentcfg.names import MANIFEST_FILE, NAME_RE
from agentcfg.project import Project

if TYPE_CHECKING:
    from agentcfg.snapshot import Shared

WORKTREE = "."
ENV_PREFIX = "env:"


@dataclass
class Snapshot:
    """One side: a rendered config, or (for a lock file) only artefact digests."""

    side: Side
    config: dict[str, Any] | None = None
    digests: dict[str, str] | None = None
    entry_digests: dict[str, str] | None = None  # a render's artefact digests, beside its config


def load_side(project: Project, spec: str, *, env: str | None = None, base: Path | None = None,
              shared: Shared | None = None) -> Snapshot:
    """Resolve ``spec`` (see the module docstring). ``base`` is where relative paths start;
    ``shared``: what the sides of one diff share (blobs read from git, parsed documents)."""
    if spec == WORKTREE:
        return _worktree(project, env)
    if spec.startswith(ENV_PREFIX):
        return _release_of(project, spec[len(ENV_PREFIX):])
    path = Path(spec) if Path(spec).is_absolute() else (base or Path.cwd()) / spec
    if path.is_file():
        return _file(path, spec, env)
    return _revision(project, spec, env, shared)


def _worktree(project: Project, env: str | None) -> Snapshot:
    from agentcfg.snapshot import render_at

    label = "working tree" + (f" ({env})" if env else "")
    if not os.path.lexists(project.root / MANIFEST_FILE):  # there but unusable: rendering says why
        return Snapshot(Side(label, "empty"), {})
    rendered = render_at(project, env=env)
    return Snapshot(Side(label, "worktree", rendered.digest), rendered.config, entry_digests=rendered.artefacts)


def _revision(project: Project, rev: str, env: str | None, shared: Shared | None) -> Snapshot:
    from agentcfg.gitio import safe_rev
    from agentcfg.snapshot import render_at

    safe_rev(rev)
    folder = project.commit_folder(rev)  # resolves the commit; a clear error when it does not exist
    label = rev + (f" ({env})" if env else "")
    if not folder.has_file(MANIFEST_FILE):
        return Snapshot(Side(label, "empty", None, folder.commit_sha), {})
    rendered = render_at(project, env=env, rev=folder.commit_sha, pinned=False, folder=folder, shared=shared)
    return Snapshot(Side(label, "rev", rendered.digest, folder.commit_sha), rendered.config,
                    entry_digests=rendered.artefacts)


def _release_of(project: Project, name: str) -> Snapshot:
    from agentcfg.release import read_release, release_path

    if not NAME_RE.match(name):
        raise UsageError(f"'{name}' is not a valid environment name",
                         hint="write env:NAME, e.g. env:production")
    rel = release_path(name)
    release = read_release(project.root / rel, rel, legacy=True)
    if release is None:
        raise AgentcfgError(f"environment '{name}' has no release yet ({rel} does not exist)",
                            hint=f"promote to it first: `agentcfg promote HEAD {name}`")
    return Snapshot(Side(f"env:{name}", "release", release.digest, release.source), release.config)


def _file(path: Path, label: str, env: str | None) -> Snapshot:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AgentcfgError(f"cannot read {label}: {exc.strerror}") from None
    from agentcfg.canonical import load_json

    obj = load_json(data, label, "this file", "give releases/ENV.json, agentcfg.lock, env:NAME, a git revision, or '.'")
    if isinstance(obj, dict) and "config" in obj:
        from agentcfg.release import parse_release

        release = parse_release(data, label, legacy=True)  # a diff compares configs: any format will do
        return Snapshot(Side(label, "release", release.digest, release.source), release.config)
    if isinstance(obj, dict) and "artefacts" in obj:
        from agentcfg.lockfile import parse_lock

        lock = parse_lock(data, label)  # validates the shape before anything reads it
        return Snapshot(Side(label, "lock", _lock_digest(lock, env)), digests=lock_digests(lock, env))
    raise AgentcfgError(f"{label} is neither a release file nor a lock file", location=Location(label),
                        hint="give releases/ENV.json, agentcfg.lock, env:NAME, a git revision, or '.'")


def _lock_digest(lock: dict[str, Any], env: str | None) -> str | None:
    if env is None:
        digest = lock.get("digest")
    else:
        digest = ((lock.get("environments") or {}).get(env) or {}).get("digest")
    return digest if isinstance(digest, str) else None


def lock_digests(lock: dict[str, Any], env: str | None) -> dict[str, str]:
    """Artefact id → digest from a lock; with ``env``, that environment's overrides applied."""
    entries: dict[str, Any] = dict(lock.get("artefacts") or {})
    if env is not None:
        envs = lock.get("environments") or {}
        if env not in envs:
            raise AgentcfgError(f"the lock has no environment '{env}'",
                                hint=f"environments in it: {', '.join(sorted(envs)) or 'none'}")
        entries.update((envs[env] or {}).get("artefacts") or {})
    out: dict[str, str] = {}
    for aid, entry in entries.items():
        digest = entry.get("digest") if isinstance(entry, dict) else entry
        if isinstance(digest, str):
            out[aid] = digest
    return out


__all__ = ["ENV_PREFIX", "WORKTREE", "Snapshot", "load_side", "lock_digests"]
