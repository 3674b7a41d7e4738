"""Semantic diff with risk and blast radius: ``agentcfg diff`` as a library.

* :func:`diff_configs` compares two rendered configs (pure, fast);
* :func:`diff` resolves two sides the way the CLI does (git revisions, ``env:NAME``, release or
  lock files, ``.``) and compares them.

Risk levels and their reasons come from one table, :data:`agentcfg.semdiff.risk.RULES`, which
``docs/risk.md`` mirrors.
"""

from __future__ import annotations

from pathlib import Path

from agentcfg.semdiff.engine import artefact_digests, diff_configs, diff_digests
from agentcfg.semdiff.result import Change, DiffResult, Side
from agentcfg.semdiff.risk import RULES, RiskLevel, Rule

DEFAULT_OLD, DEFAULT_NEW = "HEAD", "."


def diff(a: str | None = None, b: str | None = None, *, root: Path | str = ".", env: str | None = None) -> DiffResult:
    """Compare side ``a`` (default ``HEAD``) with side ``b`` (default the working tree, ``.``).

    A side is a git revision, ``env:NAME`` (that environment's release), a path to a release or
    lock file, or ``.``. With ``env``, revisions and the working tree are rendered for that
    environment (its overlay applied). When either side is a lock file only artefact digests
    are compared (rules ``digest-only-*``). Raises :class:`~agentcfg.errors.AgentcfgError`.
    """
    from agentcfg.semdiff.sides import load_side
    from agentcfg.project import Project

    base = Path(root)
    project = Project.find(base)
    from agentcfg.snapshot import Parses, Shared

    # The two sides mostly hold the same blobs: each is read and parsed once, and bytes the
    # working tree's parse cache has seen are not parsed at all (a diff decides nothing).
    shared = Shared(parses=Parses(consult=project.parse_cache))
    old = load_side(project, a if a is not None else DEFAULT_OLD, env=env, base=base, shared=shared)
    new = load_side(project, b if b is not None else DEFAULT_NEW, env=env, base=base, shared=shared)
    if old.digests is not None or new.digests is not None:
        return diff_digests(
            old.digests if old.digests is not None else artefact_digests(old.config or {}),
            new.digests if new.digests is not None else artefact_digests(new.config or {}),
            old_side=old.side, new_side=new.side,
        )
    result = diff_configs(old.config, new.config, old_side=old.side, new_side=new.side,
                          old_digests=old.entry_digests, new_digests=new.entry_digests)
    result.env = env
    from agentcfg.evidence.deltas import evidence_deltas

    result.evidence = evidence_deltas(project, old.side.digest, new.side.digest)
    return result


__all__ = [
    "RULES",
    "Change",
    "DiffResult",
    "RiskLevel",
    "Rule",
    "Side",
    "artefact_digests",
    "diff",
    "diff_configs",
    "diff_digests",
]
