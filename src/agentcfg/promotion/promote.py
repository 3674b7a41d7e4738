"""`agentcfg promote SRC DST`: render DST from SRC's commit, check it, write and commit its release.

Order matters. Cheap refusals first (path, compare-and-swap, freeze, hold) so a refused
promotion never needs a render; then the render, the no-op check, the policy rules and the
risk gate against DST's current release. `--dry-run` evaluates everything and touches nothing.
A real run holds the repository's writer mutex from the first read of DST's release to the
commit, so two promotions can never both think they replaced the same release.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentcfg.canonical import digest_matches, parse_digest_ref, short
from agentcfg.errors import AgentcfgError, did_you_mean
from agentcfg.promotion import safety
from agentcfg.promotion import source as src_mod
from agentcfg.promotion import trailers as tr
from agentcfg.promotion.commit import write_release
from agentcfg.promotion.lockgate import render_commit
from agentcfg.promotion.policy_gate import RISK_ORDER, EffectivePolicy, check_config, strictest
from agentcfg.promotion.safety import Refusal
from agentcfg.promotion.target import EnvTarget
from agentcfg.release import ReleaseFile
from agentcfg.secrets import redact_text


@dataclass
class PromoteResult:
    """What a promotion did (or, with ``dry_run``, would do)."""

    src: str
    dst: str
    outcome: str  # promoted | written (--no-commit) | unchanged (same digest) | dry-run
    digest: str
    previous_digest: str | None
    source: str  # the commit DST was rendered from
    source_kind: str  # env | rev
    release_path: str
    policy: EffectivePolicy
    refusals: list[Refusal] = field(default_factory=list)
    risk: str = "none"  # the highest risk in the diff against DST's current release
    approved: str | None = None
    path_exception: str | None = None
    reason: str | None = None
    commit: str | None = None
    diff: Any = None  # agentcfg.semdiff.DiffResult against DST's current release (None for a first release)
    artefacts: int = 0  # how many artefacts the promoted config pins (the lock's count)
    evidence: list[Any] = field(default_factory=list)  # agentcfg.evidence.requirements.EvidenceCheck
    evidence_digest: str | None = None  # the digest the evidence had to be on
    warnings: list[str] = field(default_factory=list)  # cautions that do not stop it (a detached HEAD)

    @property
    def allowed(self) -> bool:
        return not self.refusals

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "src": self.src, "dst": self.dst, "outcome": self.outcome, "allowed": self.allowed,
            "digest": self.digest, "previous_digest": self.previous_digest, "source": self.source,
            "source_kind": self.source_kind, "release_path": self.release_path, "commit": self.commit,
            "risk": self.risk, "approved": self.approved, "path_exception": self.path_exception,
            "reason": self.reason, "policy": self.policy.to_dict(),
            "refusals": [r.to_dict() for r in self.refusals],
            "diff": self.diff.to_dict() if self.diff is not None else None,
            "artefacts": self.artefacts,
            "evidence_digest": self.evidence_digest, "evidence": [c.to_dict() for c in self.evidence],
            "warnings": list(self.warnings),
        }


def promote(src: str, dst: str, *, root: Path | str = ".", dry_run: bool = False, no_commit: bool = False,
            expect_current: str | None = None, approve: str | None = None, skip_path: bool = False,
            reason: str | None = None, wait: float = 0.0) -> PromoteResult:
    """Promote SRC (an environment or a git revision) into environment DST.

    Raises :class:`agentcfg.promotion.safety.PromotionRefused` (exit 1) when a rule refuses
    it, unless ``dry_run``: then the refusals are in the result and nothing is written.
    ``wait``: seconds to queue behind another agentcfg writer (default: refuse at once).
    """
    target = EnvTarget.open(dst, root)
    expected = parse_digest_ref(expect_current) if expect_current else None
    guard = contextlib.nullcontext() if dry_run else safety.writing(target, check_index=not no_commit,
                                                                                wait=wait)
    with guard:
        return _promote(target, src, expected, dry_run=dry_run, no_commit=no_commit,
                        approve=approve, skip_path=skip_path, reason=reason)


def _promote(target: EnvTarget, src: str, expected: str | None, *, dry_run: bool, no_commit: bool,
             approve: str | None, skip_path: bool, reason: str | None) -> PromoteResult:
    project, dst = target.project, target.env
    safety.require_history(target)
    from agentcfg.snapshot import Shared

    shared = Shared()  # HEAD's manifest and SRC's render read the same blobs: each once
    head = src_mod.head_loaded(project, dst, shared=shared)
    assert head.manifest is not None
    manifest = head.manifest
    envs = list(manifest.environments)
    if dst not in envs:
        raise AgentcfgError(f"'{dst}' is not in `environments:` {envs}{did_you_mean(dst, envs)}",
                            hint="add it to `environments:` in agentcfg.yaml (in path order) and commit")
    if src == dst:
        raise AgentcfgError(f"cannot promote {dst} into itself", hint="use `agentcfg rollback` to go back")
    source = src_mod.resolve_source(project, src, envs)
    current = target.current()
    refusals, off_path = _gate(target, source, envs, current, expected, skip_path, manifest)
    policy = strictest(dst, {"HEAD": src_mod.declared_policy(manifest, dst)})
    if refusals and not dry_run:
        safety.raise_refusals(refusals)

    # Promoting HEAD: the config released is rendered from the load that gave the policy.
    rendered, stale = render_commit(project, dst, source.commit, shared=shared,
                                    loaded=head if shared.enabled else None)
    if stale:
        refusals.append(_stale_lock(source, stale))
        if not dry_run:
            safety.raise_refusals(refusals)
    # A freeze is about now (HEAD); the other rules hold the config to the strictest of HEAD's
    # policy and its own, so a commit cannot loosen the rules it is judged by.
    policy = replace(strictest(dst, {"HEAD": src_mod.declared_policy(manifest, dst),
                                     source.commit[:12]: (rendered.config.get("policies") or {}).get(dst)}),
                     frozen=policy.frozen)
    result = PromoteResult(src, dst, "dry-run" if dry_run else "promoted", rendered.digest,
                           current.digest if current else None, source.commit, source.kind,
                           target.relpath, policy, refusals, path_exception=off_path)
    # Counted as the lock counts them: every artefact, each environment's policy included.
    result.artefacts = len(rendered.artefacts) + len(rendered.config.get("policies") or {})
    if current is not None and current.digest == rendered.digest:
        result.outcome, result.refusals = "unchanged", [r for r in refusals if r.rule == "expect_current"]
        if result.refusals and not dry_run:
            safety.raise_refusals(result.refusals)
        return result
    refusals += check_config(rendered.config, policy)
    refusals += _evidence(target, source, result, approve)
    # A first release has nothing to be compared with: no diff, no risk, so `max_risk` (a bound
    # on the change from the current release) has nothing to bound; the other policies apply.
    result.diff = _diff(current, rendered.config) if current is not None else None
    result.risk = result.diff.max_risk.name if result.diff is not None else "none"
    if policy.max_risk and result.diff is not None and RISK_ORDER.index(result.risk) > RISK_ORDER.index(policy.max_risk):
        if approve:
            result.approved = redact_text(approve)
        else:
            refusals.append(_too_risky(dst, policy.max_risk, result.diff))
    if refusals and not dry_run:
        safety.raise_refusals(refusals)
    result.reason = _reason(reason, result)
    detached = None if no_commit else safety.detached_head_warning(target)
    if detached:
        result.warnings.append(detached)
    if dry_run:
        return result
    release = ReleaseFile(environment=dst, digest=rendered.digest, source=source.commit, action="promote",
                          from_=src, reason=result.reason, hold=False, config=rendered.config)
    extra = {k: v for k, v in {tr.APPROVED: result.approved, tr.SKIP_PATH: off_path,
                               tr.EVIDENCE: _evidence_trailer(result)}.items() if v}
    message = tr.commit_message(action="promote", env=dst, digest=rendered.digest, source=source.commit,
                                from_=src, reason=result.reason, extra=extra)
    result.commit = write_release(target, release, message=message, commit=not no_commit)
    result.outcome = "written" if no_commit else "promoted"
    return result


def _gate(target: EnvTarget, source: src_mod.Source, envs: list[str], current: ReleaseFile | None,
          expected: str | None, skip_path: bool, manifest: Any) -> tuple[list[Refusal], str | None]:
    """The refusals that need no render: path order, compare-and-swap, freeze on HEAD, hold."""
    dst = target.env
    refusals: list[Refusal] = []
    off_path = src_mod.path_exception(envs, source, dst)
    if off_path and not skip_path:
        refusals.append(Refusal("path", f"{source.name} → {dst} {off_path}",
                                hint=src_mod.path_hint(envs, source, dst)))
    if expected is not None and (current is None or not digest_matches(current.digest, expected)):
        now = short(current.digest) if current else "no release"
        refusals.append(Refusal("expect_current", f"{dst} moved: it runs {now}, not {expected[:12]}",
                                hint="someone promoted or rolled back meanwhile; re-read `agentcfg status` "
                                     "and decide again"))
    head_policy = manifest.policies.get(dst)
    if head_policy is not None and head_policy.frozen:
        refusals.append(_frozen(dst))
    if current is not None and current.hold:
        refusals.append(Refusal(
            "hold", f"{dst} is on hold since a rollback ({current.reason or 'no reason given'})",
            hint=f"when the incident is over: `agentcfg unhold {dst} --reason \"...\"`, then promote again"))
    return refusals, off_path


def _stale_lock(source: src_mod.Source, stale: list[Any]) -> Refusal:
    listed = "; ".join(s.describe() for s in stale[:5]) + (f"; and {len(stale) - 5} more" if len(stale) > 5 else "")
    return Refusal("stale_lock", f"the agentcfg.lock committed at {source.commit[:12]} is stale: {listed}",
                   hint="run `agentcfg lock`, commit agentcfg.lock, and promote that commit "
                        "(`agentcfg lock --check` shows what changed)")


def _evidence(target: EnvTarget, source: src_mod.Source, result: PromoteResult, approve: str | None) -> list[Refusal]:
    """`require_evidence`: judged on the digest SRC runs (evidence is measured in the stage
    before); when SRC is a revision, on the digest being promoted (attested by digest)."""
    if not result.policy.require_evidence:
        return []
    from agentcfg.evidence.requirements import evaluate

    if source.kind == "env" and source.release is not None:
        digest, where = source.release.digest, f"{source.name}'s release"
    else:
        digest, where = result.digest, f"the config being promoted ({target.env} rendered from {source.name})"
    result.evidence_digest = digest
    result.evidence = evaluate(target.project, result.policy.require_evidence, digest, measured_in=where)
    failing = [c for c in result.evidence if not c.ok]
    if failing and approve:
        result.approved = redact_text(approve)
        return []
    run_on = source.name if source.kind == "env" else short(digest)
    return [Refusal("require_evidence", f"{target.env} requires evidence '{c.name}': {c.why}",
                    hint=f"run the evals and record them: `agentcfg attest {run_on} --name {c.name} --junit FILE "
                         "-- <eval command>`; or go ahead on purpose with --approve \"why\" (recorded)")
            for c in failing]


def _evidence_trailer(result: PromoteResult) -> str | None:
    parts = [f"{c.name} {'passed' if c.ok else 'overridden by --approve'}"
             + (f" ({c.attestation.path})" if c.attestation else "") for c in result.evidence]
    return "; ".join(parts) or None


def _frozen(dst: str) -> Refusal:
    return Refusal("frozen", f"{dst} is frozen (a change freeze: `frozen: true` in its policy on HEAD)",
                   hint=f"promotions wait until `frozen: true` is removed from policies.{dst}; "
                        f"rollbacks are still allowed")


def _too_risky(dst: str, limit: str, diff: Any) -> Refusal:
    worst = [c for c in diff.changes if RISK_ORDER.index(c.risk.name) > RISK_ORDER.index(limit)]
    first = worst[0]
    more = f" (and {len(worst) - 1} more above {limit})" if len(worst) > 1 else ""
    return Refusal("max_risk", f"{first.risk.name} risk exceeds {dst}'s max_risk {limit}: "
                   f"{first.path or 'the artefact'}: {first.reason}{more}",
                   artefact=first.artefact,
                   hint="review it with --dry-run; to go ahead on purpose pass --approve \"why\" (recorded)")


def _diff(current: ReleaseFile | None, config: dict[str, Any]) -> Any:
    from agentcfg.semdiff import diff_configs

    return diff_configs(current.config if current else None, config)


def _reason(reason: str | None, result: PromoteResult) -> str | None:
    parts = [redact_text(reason.strip())] if reason and reason.strip() else []
    overridden = [f"{c.name}: {c.why}" for c in result.evidence if not c.ok]
    if result.approved and overridden:
        parts.append(f"approved over require_evidence ({'; '.join(overridden)}): {result.approved}")
    if result.approved and RISK_ORDER.index(result.risk) > RISK_ORDER.index(result.policy.max_risk or "critical"):
        parts.append(f"approved over max_risk {result.policy.max_risk} (diff risk {result.risk}): {result.approved}")
    if result.path_exception:
        parts.append(f"--skip-path: {result.path_exception}")
    return "; ".join(parts) or None

