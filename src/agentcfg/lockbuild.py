"""Building a lock's content: every artefact of the base manifest and of each environment,
resolved and digested (:func:`build_lock`), with each manifest's work remembered between runs.

Loading, checking and preparing a manifest is remembered while the working tree answers the same
(:mod:`agentcfg.warm.prepared`); `validate` leaves the same memo (:func:`remember_prepared`). Data
and code are resolved every time. Reading, writing and comparing locks is :mod:`agentcfg.lockfile`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcfg.errors import InvalidConfig
from agentcfg.lockfile import LOCK_FORMAT

# The manifest model, pydantic and GitPython are imported inside the functions that need them:
# a remembered manifest must not pay for them.
if TYPE_CHECKING:
    from agentcfg.manifest.loader import Loaded
    from agentcfg.project import Project
    from agentcfg.rendering import Completed, Prepared, Resolver
    from agentcfg.warm.prepared import Remembered

__all__ = ["build_lock", "entries_of", "remember_prepared"]


def entries_of(files: dict[str, str], prepared: "Prepared", done: "Completed") -> dict[str, dict[str, Any]]:
    """The lock entries of one rendered config: digest plus what each artefact resolved from."""
    from agentcfg.pinning import is_pinned
    from agentcfg.resolve import RESOLVED_KEYS, SOURCE_KEYS

    out: dict[str, dict[str, Any]] = {}
    for aid in sorted(done.artefacts):
        section, _, name = aid.partition("/")
        entry: dict[str, Any] = {"digest": done.artefacts[aid]}
        if section in SOURCE_KEYS:
            item = done.resolved[section][name]
            keys = SOURCE_KEYS[section] + RESOLVED_KEYS[section]
            entry.update({k: item[k] for k in keys if k in item and k != "digest"})
        elif section == "models":
            item = prepared.models[name]
            pinned, _ = is_pinned(item["provider"], item["id"], item.get("pinned"))
            entry.update({"provider": item["provider"], "id": item["id"], "pinned": pinned})
        if aid in files:
            entry["file"] = files[aid]
        out[aid] = entry
    for env, digest in prepared.policies.items():
        out[f"policies/{env}"] = {"digest": digest}
    return out


def build_lock(project: "Project", resolver: "Resolver", *, tree: Any = None) -> dict[str, Any]:
    """Render the base manifest and every environment, and assemble the lock (writes nothing).

    The manifest work of each (prepared config, agentcfg.warm.prepared) is reused while the
    working tree answers the same; data and code are resolved every time.
    """
    from agentcfg.rendering import complete

    tree = tree or project.worktree()
    run = _Run()
    base, base_files, base_loaded = _prepared(project, tree, None, resolver, run=run)
    rendered = complete(base, resolver)
    artefacts = entries_of(base_files, base, rendered)
    environments: dict[str, Any] = {}
    for env in dict.fromkeys(base.environments):
        if _as_base(tree, env):
            # No overlay: the environment renders exactly as the base (render is pure).
            environments[env] = {"digest": rendered.digest, "artefacts": {}}
            continue
        prepared, files, _ = _prepared(project, tree, env, resolver, base_loaded, run=run)
        env_rendered = complete(prepared, resolver)
        entries = entries_of(files, prepared, env_rendered)
        overrides: dict[str, Any] = {aid: e for aid, e in entries.items() if artefacts.get(aid) != e}
        overrides.update({aid: None for aid in artefacts if aid not in entries})  # removed by the overlay
        environments[env] = {"digest": env_rendered.digest, "artefacts": overrides}
    return {"format_version": LOCK_FORMAT, "digest": rendered.digest, "artefacts": artefacts,
            "environments": environments}


def _as_base(tree: Any, env: str) -> bool:
    """Whether ``env`` (a valid name) has no overlay: `lock` renders it as the base manifest."""
    from agentcfg.names import NAME_RE, OVERLAY_DIR
    from agentcfg.trees import read_if_present

    return bool(NAME_RE.match(env)) and read_if_present(tree, f"{OVERLAY_DIR}/{env}.yaml") is None


class _Run:
    """What the base manifest's and the environments' renders of one lock share."""

    def __init__(self) -> None:
        from agentcfg.rendering import Encodings
        from agentcfg.warm.answers import Confirmed

        self.encodings = Encodings()  # an environment encodes only what its overlay changed
        self.confirmed = Confirmed()  # an environment's memo asks again what the base's asked: once
        self.base_memo: Remembered | None = None  # the base's memo, recalled or stored: what environments' refer to


def _prepared(project: "Project", tree: Any, env: str | None, resolver: "Resolver",
              base: "Loaded | None" = None, *, run: _Run) -> tuple["Prepared", dict[str, str], "Loaded | None"]:
    """(prepared config, referenced files, the load when there was one) of ``env``: remembered,
    or loaded, checked and prepared.

    ``base``: the base manifest's load of this run (checked, without errors). An environment
    shares what its overlay leaves alone with it, and records its answers on the same tree, so
    its memo holds only while the shared files do too.
    """
    from agentcfg.names import NAME_RE
    from agentcfg.rendering import EntryView
    from agentcfg.warm import prepared as memo

    memo_ok = env is None or bool(NAME_RE.match(env))
    remembered = memo.recall(project.state_dir, env, run.base_memo) if memo_ok else None
    if remembered is not None:
        if env is None:  # start hashing now: the data rarely changes along with the manifest
            _prefetch(resolver, {n: EntryView(i) for n, i in remembered.prepared.pending["data"].items()})
        if remembered.holds(tree, run.confirmed):
            _replay(tree, remembered.answers)
            if env is None:
                run.base_memo = remembered
            return remembered.prepared, remembered.files, None

    from agentcfg import checks
    from agentcfg.manifest.loader import load_manifest
    from agentcfg.rendering import prepare
    from agentcfg.warm.answers import AnsweringTree

    answering = base.tree if base is not None else AnsweringTree(tree)
    loaded = load_manifest(answering, env=env, cache=project.parse_cache, base=base)
    if env is None and loaded.manifest is not None:
        _prefetch(resolver, loaded.manifest.data)  # hash data while the rest is checked
    if base is not None:
        loaded.settled = loaded.unchanged()  # checked in the base a moment ago, without an error
    checks.run_all(loaded)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors or loaded.manifest is None:
        raise InvalidConfig(errors)
    prepared, _ = prepare(loaded.manifest, environment=env, encodings=run.encodings)
    if memo_ok:
        stored = memo.store(project.state_dir, env, answering, prepared, loaded.files,
                            run.base_memo if env is not None else None)
        if env is None:
            run.base_memo = stored
    return prepared, dict(loaded.files), loaded


def remember_prepared(project: "Project", tree: Any, loads: dict[str | None, "Loaded"]) -> None:
    """Remember the prepared configs of loads that had no error, as :func:`_prepared` would have
    made them: the base manifest, and each environment with an overlay (best effort).

    ``tree``: the recording tree every load of ``loads`` read through (the answers that must hold
    for the memo to be used). ``validate`` calls this; a following ``lock`` then only resolves
    data and code.
    """
    from agentcfg.canonical import NotCanonical
    from agentcfg.names import NAME_RE
    from agentcfg.rendering import prepare
    from agentcfg.warm import prepared as memo

    base = loads.get(None)
    if base is None or base.manifest is None:
        return
    run = _Run()  # as in build_lock
    for env, loaded in sorted(loads.items(), key=lambda item: item[0] is not None):  # the base first
        if env is not None and (not NAME_RE.match(env) or _as_base(tree, env)):
            continue  # lock keeps no memo of it: rendered as the base, or refused by name
        if loaded.manifest is None or any(f.severity == "error" for f in loaded.findings):
            return
        try:
            prepared, _ = prepare(loaded.manifest, environment=env, encodings=run.encodings)
        except NotCanonical:
            return  # the numbers check said so already; lock refuses it with the same findings
        stored = memo.store(project.state_dir, env, tree, prepared, dict(loaded.files), run.base_memo)
        if env is None:
            run.base_memo = stored


def _replay(tree: Any, answers: Any) -> None:
    """Hand the remembered answers (just confirmed) to an outer recording tree, so the lock's
    own warm path records them as if the manifest had been loaded."""
    outer = getattr(tree, "answers", None)
    if outer is not None:
        outer.absorb(answers)


def _prefetch(resolver: "Resolver", datasets: dict[str, Any]) -> None:
    prefetch = getattr(resolver, "prefetch", None)
    if prefetch is not None:
        prefetch(datasets)
