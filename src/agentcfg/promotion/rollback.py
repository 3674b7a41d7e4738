"""`agentcfg rollback ENV` and `agentcfg unhold ENV`: the incident-time path.

A rollback copies an earlier release of ENV forward as a new commit (never a reset): the same
`config` and `digest`, byte for byte, with `action: rollback`, `from` (the commit whose release
it restores), the reason, and `hold: true` so automation cannot roll the incident forward
again. It needs only the git history of `releases/ENV.json`: the manifest is never loaded, so it
works when `agentcfg.yaml` on HEAD is broken or gone.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from agentcfg import gitio
from agentcfg.canonical import digest_matches, parse_digest_ref, short
from agentcfg.errors import AgentcfgError, GitError, UsageError
from agentcfg.promotion import safety
from agentcfg.promotion import trailers as tr
from agentcfg.promotion.commit import write_release
from agentcfg.promotion.history import Transition, read_release_and_bytes_at, read_transitions
from agentcfg.promotion.target import EnvTarget
from agentcfg.release import RELEASE_FORMAT, ReleaseFile, current_digest, parse_release, read_release
from agentcfg.secrets import redact_text

_MAX_INDEX_DIGITS = 6  # `--to 12` is a history index; 7+ hex digits are a digest or commit prefix


@dataclass
class RollbackResult:
    """What a rollback did (or, with ``dry_run``, would do)."""

    env: str
    outcome: str  # rolled-back | unchanged (already runs it) | dry-run
    digest: str  # the digest restored
    previous_digest: str | None
    restored_commit: str  # the commit whose release is restored
    restored_index: int | None  # its index in `history`, when it is in ENV's history
    source: str | None
    reason: str | None
    release_path: str
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)  # changes config cannot undo, and other cautions
    # (current config, restored config), read when the diff is first asked for
    configs: Callable[[], tuple[dict[str, Any] | None, dict[str, Any]]] | None = field(default=None, repr=False)
    _diff: Any = field(default=None, repr=False)

    @property
    def diff(self) -> Any:
        """The :class:`~agentcfg.semdiff.DiffResult` from the current release to the restored one.

        Computed when first asked for (`--dry-run`, `--format json`): an incident rollback
        needs only the warnings, which look at the few sections where a change can be
        irreversible (rollback of a large config ≤ 400 ms).
        """
        if self._diff is None and self.configs is not None:
            try:
                from agentcfg.semdiff import diff_configs

                self._diff = diff_configs(*self.configs())
            except Exception:  # noqa: BLE001 - the rollback is done; a diff bug must not undo the report
                self.configs = None
        return self._diff

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "env": self.env, "outcome": self.outcome, "digest": self.digest,
            "previous_digest": self.previous_digest, "restored_commit": self.restored_commit,
            "restored_index": self.restored_index, "source": self.source, "reason": self.reason,
            "release_path": self.release_path, "commit": self.commit, "hold": True,
            "warnings": self.warnings, "diff": self.diff.to_dict() if self.diff is not None else None,
        }


@dataclass
class UnholdResult:
    env: str
    outcome: str  # unheld | unchanged (was not on hold)
    digest: str
    reason: str | None
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": 1, "env": self.env, "outcome": self.outcome, "digest": self.digest,
                "reason": self.reason,
                "commit": self.commit}


def rollback(env: str, *, root: Path | str = ".", to: str | None = None, reason: str | None = None,
             dry_run: bool = False, wait: float = 0.0) -> RollbackResult:
    """Restore an earlier release of ``env`` as a new commit and put ``env`` on hold.

    ``to``: a history index (``0`` is the newest transition), a digest or unique digest prefix, or a
    git revision; default: the newest earlier release whose digest differs from the current one.
    ``wait``: seconds to queue behind another agentcfg writer (default: refuse at once).
    """
    target = EnvTarget.open(env, root)
    if dry_run:
        safety.require_history(target)  # (safety.writing checks it too)
    guard = contextlib.nullcontext() if dry_run else safety.writing(target, wait=wait)
    with guard:
        current = _current(target)
        restored_commit, index, old, old_bytes = _choose(target, current, to)
        # A release written by an older agentcfg (format 1, already checked against its own
        # digest) is restored under its RFC 8785 digest: the same config, a new identity. In an
        # incident the last good release is usually an old one; refusing it would leave only
        # `git revert` by hand.
        digest = current_digest(old, target.relpath)
        clean_reason = redact_text(reason.strip()) if reason and reason.strip() else None
        result = RollbackResult(env, "dry-run" if dry_run else "rolled-back", digest,
                                current.digest if current else None, restored_commit, index, old.source,
                                clean_reason, target.relpath)
        if old.format_version != RELEASE_FORMAT:
            result.warnings.append(f"the restored release was written by an older agentcfg (release format "
                                   f"{old.format_version}, digest {old.digest}); it is now identified by its "
                                   f"RFC 8785 digest {digest} (the config is the same)")
        if current is not None and current.digest == digest:
            result.outcome = "unchanged"
            return result
        result.configs = lambda: (current.config if current else None, old.config)
        result.warnings += _crossing(current, old)
        detached = safety.detached_head_warning(target)
        if detached:
            result.warnings.append(detached)
        if dry_run:
            return result
        release = ReleaseFile(environment=env, digest=digest, source=old.source, action="rollback",
                              from_=restored_commit, reason=clean_reason, hold=True, config=old.config)
        message = tr.commit_message(action="rollback", env=env, digest=digest, source=old.source,
                                    from_=restored_commit, reason=clean_reason)
        text = release.dumps_reusing(old_bytes.decode("utf-8"), old)
        result.commit = write_release(target, release, message=message, text=text)
        return result


def unhold(env: str, *, root: Path | str = ".", reason: str | None = None, wait: float = 0.0) -> UnholdResult:
    """Lift the hold a rollback put on ``env``: a commit that copies its release with ``hold: false``."""
    target = EnvTarget.open(env, root)
    with safety.writing(target, wait=wait):
        current = _current_release(target)
        if current is not None and current.format_version != RELEASE_FORMAT:
            # Copied forward under a new digest: check it against the one it was written with first.
            current = read_release(target.path, target.relpath, legacy=True)
        if current is None:
            raise AgentcfgError(f"environment '{env}' has no release ({target.relpath} does not exist)")
        clean_reason = redact_text(reason.strip()) if reason and reason.strip() else None
        result = UnholdResult(env, "unchanged" if not current.hold else "unheld", current.digest, clean_reason)
        if not current.hold:
            return result
        digest = current_digest(current, target.relpath)
        release = ReleaseFile(environment=current.environment or env, digest=digest,
                              source=current.source, action=current.action, from_=current.from_,
                              reason=current.reason, hold=False, config=current.config)
        message = tr.commit_message(action="unhold", env=env, digest=digest, source=current.source,
                                    from_=current.from_, reason=clean_reason)
        result.commit = write_release(target, release, message=message)
        return result


def _current_release(target: EnvTarget) -> ReleaseFile | None:
    # Not verified against its digest: a rollback must work even when the current file is the
    # damaged one. Its `digest` only tells which earlier release counts as "different".
    try:
        return read_release(target.path, target.relpath, verify=False, legacy=True)
    except AgentcfgError:
        return None


@dataclass
class _Current:
    """The release on disk, parsed (not verified: a rollback must work when it is the damaged
    one). Its `digest` only tells which earlier release counts as "different"; it is read from
    the file itself every time, never from a cache, so a rollback is never skipped on hearsay."""

    release: ReleaseFile

    @property
    def digest(self) -> str:
        try:  # a file an older agentcfg wrote: what its config is called now
            return current_digest(self.release, "the current release")
        except AgentcfgError:
            return self.release.digest

    @property
    def config(self) -> dict[str, Any]:
        return self.release.config


def _current(target: EnvTarget) -> _Current | None:
    try:
        data = target.path.read_bytes()
        return _Current(parse_release(data, target.relpath, verify=False, legacy=True))
    except (OSError, AgentcfgError):
        return None


_RECENT = 64


_Chosen = tuple[str, "int | None", ReleaseFile, bytes]


def _choose(target: EnvTarget, current: _Current | None, to: str | None) -> _Chosen:
    """(commit, history index, verified release, its file's bytes) of the release to restore."""
    if to is None:
        now = current.digest if current else None
        # The previous distinct release is nearly always among the newest few transitions: read
        # those first, and the whole history only when they do not hold one (5,000 releases).
        for limit in (_RECENT, None):
            rows = read_transitions(target, limit=limit, cached=False)
            for row in rows:
                if row.digest and row.action not in ("deleted", "invalid") and row.digest != now:
                    chosen = _load(target, row)
                    # An old-format row's digest is not comparable with `now`: its config decides.
                    if chosen[2].format_version == RELEASE_FORMAT or current_digest(chosen[2], row.commit) != now:
                        return chosen
            if limit is not None and len(rows) < limit:
                break  # that was the whole history
        raise _no_history(target, f"{target.relpath} has no earlier release with a different digest"
                                  f"{f' than {short(now)}' if now else ''}")
    rows = read_transitions(target, cached=False)  # what is restored is decided from git, not a cache
    spec = to.strip()
    if spec.isdigit() and len(spec) <= _MAX_INDEX_DIGITS:
        n = int(spec)
        if n >= len(rows):
            raise _no_history(target, f"history of {target.env} has {len(rows)} transitions; there is no index {n}")
        if not rows[n].digest:
            raise AgentcfgError(f"transition {n} of {target.env} is not a release ({rows[n].action})",
                                hint=f"see `agentcfg history {target.env}`")
        return _load(target, rows[n])
    hexref = _as_digest(spec)
    if hexref is not None:
        hits = [r for r in rows if r.digest and digest_matches(r.digest, hexref)]
        distinct = sorted({r.digest for r in hits if r.digest})
        if len(distinct) > 1:
            raise UsageError(f"digest prefix '{spec}' is ambiguous in {target.env}'s history: "
                             f"{', '.join(short(d, 16) for d in distinct)}", hint="give more digits")
        if hits:
            return _load(target, hits[0])
        if spec.lower().startswith("sha256:"):
            raise _no_history(target, f"no release of {target.env} has digest {spec}")
    return _from_rev(target, spec, rows)


def _as_digest(spec: str) -> str | None:
    try:
        return parse_digest_ref(spec)
    except UsageError:
        return None


def _load(target: EnvTarget, row: Transition) -> _Chosen:
    found = read_release_and_bytes_at(target, row.commit)
    if found is None:
        raise AgentcfgError(f"{target.relpath} is missing at commit {row.commit[:12]}")
    release, data = found
    if release.digest != row.digest:  # the commit's trailers and its file disagree: trust neither
        raise AgentcfgError(f"commit {row.commit[:12]} says it released {row.digest} but its {target.relpath} "
                            f"holds {release.digest}", hint="pick the release with `--to REV` explicitly")
    return row.commit, row.index, release, data


def _from_rev(target: EnvTarget, spec: str, rows: list[Transition]) -> _Chosen:
    try:
        commit = gitio.resolve_commit(target.repo, spec)
    except GitError as exc:
        raise GitError(f"'{spec}' is neither a history index, a digest in {target.env}'s history, "
                       f"nor a git revision", hint=exc.hint) from None
    found = read_release_and_bytes_at(target, commit)
    if found is None:
        raise AgentcfgError(f"{target.relpath} does not exist at {spec} ({commit[:12]})",
                            hint=f"pick a release from `agentcfg history {target.env}`")
    index = next((r.index for r in rows if r.commit == commit), None)
    return commit, index, *found


def _no_history(target: EnvTarget, message: str) -> AgentcfgError:
    hint = safety.shallow_hint(target, f"see `agentcfg history {target.env}`")
    if target.paths.shallow:
        return GitError(f"{message} in this shallow clone", hint=hint)
    return AgentcfgError(message, hint=hint)


def _crossing(current: _Current | None, old: ReleaseFile) -> list[str]:
    """A warning for each change on the way back to ``old`` that config alone cannot undo.

    Only the sections where the diff engine marks changes irreversible can hold one
    (:data:`IRREVERSIBLE_SECTIONS`); the usual rollback of prompts and tools leaves them equal,
    which tells without a diff.
    """
    before = _sections(current.config) if current is not None else None
    after = _sections(old.config)
    if before == after:
        return []
    try:
        from agentcfg.semdiff import diff_configs

        diff = diff_configs(before, after)
    except Exception as exc:  # noqa: BLE001 - an incident rollback must not fail on a diff bug
        why = f"{type(exc).__name__}: {redact_text(str(exc))[:200]}"
        return [f"could not compute the diff to check for irreversible changes ({why}); "
                "check memory, data and graph state by hand"]
    cannot = ("config cannot undo this: stored data, vectors or graph state written since may not match "
              "the restored config")
    return [f"{c.artefact}: {c.path or 'the artefact'}: {c.reason} ({cannot})" for c in diff.irreversible]


# Where the diff engine marks a change irreversible (memory embedder/dims/schema, embedding
# models, data migrations, graph state schema).
IRREVERSIBLE_SECTIONS = ("data", "memory", "models", "orchestration")


def _sections(config: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k in IRREVERSIBLE_SECTIONS}
