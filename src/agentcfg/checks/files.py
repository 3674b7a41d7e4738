"""Paths and repositories named by `data` and `code`: they exist, stay inside the repository by
real path, and remote repositories use an allowed transport."""

from __future__ import annotations

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
                _, why = resolve(rel)
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
