"""What makes a lock stale: the entry-by-entry comparison behind `lock --check` and `verify`.

:func:`compare` takes the lock on disk and the lock that locking now would write, and returns a
:class:`StaleEntry` for every artefact that differs, saying what changed (new content, a code
ref that moved, a new or removed artefact, a different source) and in which environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOCK_FILE = "agentcfg.lock"

# What changed, for `lock --check` and `verify` (StaleEntry.change).
ADDED, REMOVED, CONTENT, REF_MOVED, SOURCE_MOVED = "added", "removed", "content", "ref moved", "source moved"
MISSING, REFORMATTED, TAMPERED = "missing", "reformatted", "tampered"
WRONG_ENV = "wrong environment"
OLD_FORMAT = "old format"


@dataclass(frozen=True)
class StaleEntry:
    """One difference between the lock on disk and what locking now would write."""

    artefact: str  # `prompts/triage`, `environments/production`, or `agentcfg.lock`
    change: str  # one of the constants above
    env: str | None = None  # set when the change is in an environment's overlay
    old: str | None = None  # digest (or commit, for REF_MOVED) recorded in the lock
    new: str | None = None  # digest (or commit) found now

    def describe(self) -> str:
        where = f" (environment {self.env})" if self.env else ""
        what = {
            ADDED: "new artefact, not in the lock",
            REMOVED: "in the lock but no longer in the manifest",
            CONTENT: "content changed",
            REF_MOVED: "ref moved to a new commit",
            SOURCE_MOVED: "now resolved from a different source",
            MISSING: "no lock file",
            REFORMATTED: "the file is not what `agentcfg lock` writes (edited by hand?)",
            TAMPERED: "does not match its own digest",
            WRONG_ENV: "belongs to another environment",
            OLD_FORMAT: "written by an older agentcfg (lock format 1, other digests): run `agentcfg lock` again",
        }.get(self.change, self.change)
        if self.old and self.new and self.change in (CONTENT, REF_MOVED, TAMPERED, WRONG_ENV):
            what += f" ({_short(self.old)} → {_short(self.new)})"
        return f"{self.artefact}: {what}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {"artefact": self.artefact, "change": self.change, "env": self.env, "old": self.old, "new": self.new}


def _short(value: str) -> str:
    return value.removeprefix("sha256:")[:12]


# --- comparing --------------------------------------------------------------------------------

def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> list[StaleEntry]:
    """Every way ``old`` (the lock on disk) differs from ``new`` (what locking now writes)."""
    if old is None:
        return [StaleEntry(LOCK_FILE, MISSING)]
    stale = _compare_entries(old.get("artefacts") or {}, new["artefacts"], None)
    base_changed = {s.artefact for s in stale}
    old_envs, new_envs = old.get("environments") or {}, new["environments"]
    for env in sorted(set(old_envs) | set(new_envs)):
        if env not in old_envs or env not in new_envs:
            change = ADDED if env not in old_envs else REMOVED
            stale.append(StaleEntry(f"environments/{env}", change, env))
            continue
        o_over = old_envs[env].get("artefacts") or {}
        n_over = new_envs[env].get("artefacts") or {}
        o_eff = _effective(old.get("artefacts") or {}, o_over)
        n_eff = _effective(new["artefacts"], n_over)
        env_stale = [s for s in _compare_entries(o_eff, n_eff, env)
                     if s.artefact not in base_changed or s.artefact in o_over or s.artefact in n_over]
        stale.extend(env_stale)
        if not env_stale and not base_changed and old_envs[env].get("digest") != new_envs[env]["digest"]:
            stale.append(StaleEntry(f"environments/{env}", CONTENT, env, old_envs[env].get("digest"),
                                    new_envs[env]["digest"]))
    if not stale and old.get("digest") != new.get("digest"):
        stale.append(StaleEntry("manifest", CONTENT, None, old.get("digest"), new.get("digest")))
    return stale


def _effective(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **overrides}
    return {k: v for k, v in merged.items() if v is not None}


def _compare_entries(old: dict[str, Any], new: dict[str, Any], env: str | None) -> list[StaleEntry]:
    from agentcfg.resolve import SOURCE_KEYS

    out: list[StaleEntry] = []
    for aid in sorted(set(old) | set(new)):
        o, n = old.get(aid), new.get(aid)
        if o == n:
            continue
        if not isinstance(o, dict):
            out.append(StaleEntry(aid, ADDED, env, None, n.get("digest") if isinstance(n, dict) else None))
            continue
        if not isinstance(n, dict):
            out.append(StaleEntry(aid, REMOVED, env, o.get("digest"), None))
            continue
        section = aid.partition("/")[0]
        sources = SOURCE_KEYS.get(section, ()) + ("file",)
        if any(o.get(k) != n.get(k) for k in sources):
            out.append(StaleEntry(aid, SOURCE_MOVED, env, o.get("digest"), n.get("digest")))
        elif section == "code" and o.get("commit") != n.get("commit"):
            out.append(StaleEntry(aid, REF_MOVED, env, o.get("commit"), n.get("commit")))
        else:
            out.append(StaleEntry(aid, CONTENT, env, o.get("digest"), n.get("digest")))
    return out
