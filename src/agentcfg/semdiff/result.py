"""What a diff returns: one :class:`Change` per row, gathered in a :class:`DiffResult`.

``DiffResult.to_dict()`` is the stable JSON of ``agentcfg diff --format json``, documented by
``schemas/diff.schema.json``. Values in a change are already redacted (secret-looking literals
shown as ``<redacted: N chars>``, ``${env:NAME}`` references as they are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentcfg.semdiff.risk import RiskLevel

FORMAT_VERSION = 1

KINDS = ("added", "removed", "changed", "renamed")


@dataclass(frozen=True)
class Change:
    """One row of a diff.

    ``path`` is the field inside the artefact (``annotations.destructiveHint``,
    ``edges[triage->refund].when``, ``tools[issue_refund]``); ``""`` means the whole artefact
    (an added, removed or renamed artefact). ``impact`` lists the agents and graphs that use the
    artefact, transitively, as ids.
    """

    artefact: str
    kind: str
    path: str
    old: Any
    new: Any
    risk: RiskLevel
    reason: str
    rule: str
    impact: list[str] = field(default_factory=list)
    text_diff: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    irreversible: bool = False

    def __post_init__(self) -> None:
        # Paths are built from mapping keys, and a key can itself be a secret
        # (`parameters.sk-...`): values are redacted where they are read, paths here.
        from agentcfg.secrets import redact_text

        object.__setattr__(self, "path", redact_text(self.path))

    @property
    def section(self) -> str:
        """The artefact kind (``tools``), or ``policies``."""
        return self.artefact.split("/", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "artefact": self.artefact,
            "kind": self.kind,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "risk": self.risk.name,
            "rule": self.rule,
            "reason": self.reason,
            "impact": list(self.impact),
            "text_diff": self.text_diff,
            "details": self.details,
            "irreversible": self.irreversible,
        }


@dataclass(frozen=True)
class Side:
    """What one side of a diff was: a label for people and, when known, its root digest."""

    label: str
    kind: str  # "rev" | "worktree" | "release" | "lock" | "config" | "empty"
    digest: str | None = None
    commit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "digest": self.digest, "commit": self.commit}


@dataclass
class DiffResult:
    """Every change between two configs, in report order (artefact kind, artefact, field)."""

    changes: list[Change] = field(default_factory=list)
    old_side: Side | None = None
    new_side: Side | None = None
    # The configs compared (None for a lock side) and the environment they were rendered for,
    # kept for formats that draw them (the graph pictures of a pull-request comment); not JSON.
    old_config: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    new_config: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    env: str | None = None
    # Metric deltas where both sides have evidence of the same name (agentcfg.evidence.deltas)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def max_risk(self) -> RiskLevel:
        return max((c.risk for c in self.changes), default=RiskLevel.none)

    @property
    def counts(self) -> dict[str, int]:
        """Number of changes per risk level; every level is present, ``none`` first."""
        out = {level.name: 0 for level in RiskLevel}
        for c in self.changes:
            out[c.risk.name] += 1
        return out

    @property
    def irreversible(self) -> list[Change]:
        """Changes that a config rollback cannot undo (the rollback command warns about these)."""
        return [c for c in self.changes if c.irreversible]

    @property
    def artefacts(self) -> list[str]:
        """Ids of the artefacts with at least one change, in report order."""
        return list(dict.fromkeys(c.artefact for c in self.changes))

    def at_or_above(self, level: RiskLevel | str) -> list[Change]:
        """The changes whose risk is ``level`` or higher (what ``--fail-on`` gates on)."""
        threshold = RiskLevel.parse(level)
        return [c for c in self.changes if c.risk >= threshold]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "old": self.old_side.to_dict() if self.old_side else None,
            "new": self.new_side.to_dict() if self.new_side else None,
            "summary": {
                "changes": len(self.changes),
                "artefacts": len(self.artefacts),
                "max_risk": self.max_risk.name,
                "counts": self.counts,
                "irreversible": len(self.irreversible),
            },
            "changes": [c.to_dict() for c in self.changes],
            "evidence": self.evidence,
        }


__all__ = ["FORMAT_VERSION", "KINDS", "Change", "DiffResult", "Side"]
