"""Paths and repositories named by `data` and `code`: they exist, stay inside the repository by
real path, and remote repositories use an allowed transport."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from agentcfg.errors import UsageError
from agentcfg.gitio import safe_rev, safe_url
from agentcfg.manifest.loader import Loaded
from agentcfg.trees import check_relpath


def check(loaded: Loaded) -> None:
    m = loaded.manifest
    assert m is not None
    resolve = getattr(loaded.tree, "resolve", None)
    for name, ds in m.data.items():
        aid = f"data/{name}"
        for key in ("path", "dvc"):
            rel = getattr(ds, key)
            if rel is None:
                continue
            why = check_relpath(rel)
            if why is None and resolve is not None:
                real, why = resolve(rel)
                special = _special_entry(real, rel) if real is not None and key == "path" else None
                if special:
                    loaded.finding("special-file", special, ("data", name, key), artefact=aid,
                                   hint="data holds regular files and folders only: remove it (`lock` could not "
                                        "hash it, and never opens it)")
            elif why is None and key == "path":
                # A commit (no `resolve`): big data is usually git-ignored or in DVC, so its absence
                # from the tree is normal; the lock committed with it pins its digest (and a
                # commit without a lock fails to resolve it, saying so).
                pass
            elif why is None and loaded.tree.kind(rel) is None:
                why = "no such file or folder"
            if why:
                code = ("file-outside-repo" if ("leave" in why or "outside" in why or "absolute" in why)
                        else "file-not-found")
                loaded.finding(code, f"{key} '{rel}': {why}", ("data", name, key), artefact=aid,
                               hint="paths are relative to the manifest's folder and must stay inside the repository")
            elif key == "dvc" and not rel.endswith(".dvc"):
                loaded.finding("invalid-value", f"'{rel}' is not a .dvc file", ("data", name, key), artefact=aid)
    for name, ref in m.code.items():
        aid = f"code/{name}"
        try:
            if ref.ref is not None:
                safe_rev(ref.ref)
        except UsageError as exc:
            loaded.finding("unsafe-ref", exc.message, ("code", name, "ref"), artefact=aid, hint=exc.hint)
        repo = ref.repo
        # `ext::cmd` and other `<transport>::<address>` forms have no "://" and no "@" but are
        # remote helpers (ext:: runs a command), so they must reach safe_url, not the path branch.
        local = "://" not in repo and "@" not in repo and "::" not in repo
        if repo == "." or repo.startswith(("./", "../")) or local:
            why = check_relpath(repo) if repo != "." else None
            if why is None and repo != "." and resolve is not None:
                _, why = resolve(repo)
            if why:
                code = ("file-outside-repo" if ("leave" in why or "outside" in why or "absolute" in why)
                        else "file-not-found")
                loaded.finding(code, f"repo '{repo}': {why}", ("code", name, "repo"), artefact=aid,
                               hint="a repository outside this one is named by URL (https://, ssh:// or file://)")
            continue
        try:
            safe_url(repo)
        except UsageError as exc:
            loaded.finding("unsafe-url", exc.message, ("code", name, "repo"), artefact=aid, hint=exc.hint)


def _special_entry(real: Path, rel: str) -> str | None:
    """The first FIFO, socket or device at or in data path ``rel`` (real path ``real``), as
    "'rel/name' is a FIFO ..."; None when there is none. Never opened: a FIFO would block.
    Symlinks are left to `lock`, which resolves and confines them."""
    kinds = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
             stat.S_IFBLK: "a device"}
    try:
        mode = os.lstat(real).st_mode
    except OSError:
        return None
    if stat.S_IFMT(mode) in kinds:
        return f"'{rel}' is {kinds[stat.S_IFMT(mode)]}, not a file or folder"
    if not stat.S_ISDIR(mode):
        return None
    pending = [str(real)]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # unreadable folders are reported by `lock`, which must read them
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif not entry.is_file(follow_symlinks=False):
                kind = kinds.get(stat.S_IFMT(entry.stat(follow_symlinks=False).st_mode), "not a regular file")
                inner = os.path.relpath(entry.path, real).replace(os.sep, "/")
                return f"'{rel.rstrip('/')}/{inner}' is {kind}, not a file or folder"
    return None
