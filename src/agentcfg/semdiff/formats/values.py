"""Short one-line renderings of changed values and summaries, shared by the text and markdown formats."""

from __future__ import annotations

import json
from typing import Any

from agentcfg.semdiff.result import Change, DiffResult
from agentcfg.semdiff.risk import RiskLevel

SHORT = 80


def short(value: Any, limit: int = SHORT) -> str:
    """A value on one line: strings as written, everything else as compact JSON, truncated."""
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text.replace("\r", "").replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _digest(value: Any) -> str:
    return value.removeprefix("sha256:")[:12] if isinstance(value, str) else "none"


def change_text(change: Change) -> str:
    """``old → new`` (or ``added``/``removed``/``renamed from x``) for one change."""
    if change.kind == "renamed":
        return f"renamed from {short(change.old)}" if not change.path else f"{short(change.old)} → {short(change.new)}"
    if change.rule.startswith("digest-only"):
        return f"{change.kind}: {_digest(change.old)} → {_digest(change.new)}"
    if not change.path:
        return change.kind
    if change.text_diff is not None and (isinstance(change.old, (str, dict)) or isinstance(change.new, (str, dict))):
        return f"{change.kind} (diff below)"
    if change.kind in ("added", "removed") and change.path.endswith(f"[{change.new or change.old}]"):
        return change.kind  # `tools[x]: added`: the path already names the member
    if change.kind == "added":
        return f"+ {short(change.new)}"
    if change.kind == "removed":
        return f"- {short(change.old)}"
    return f"{short(change.old)} → {short(change.new)}"


def extra_lines(change: Change) -> list[str]:
    """Details worth a line of their own: template variables, schema compatibility, migrations."""
    lines: list[str] = []
    d = change.details
    if d.get("variables_added"):
        lines.append("variables added: " + ", ".join(d["variables_added"]))
    if d.get("variables_removed"):
        lines.append("variables removed: " + ", ".join(d["variables_removed"]))
    schema = d.get("schema")
    if isinstance(schema, dict):
        for item in schema.get("breaking", []):
            lines.append(f"breaking: {item}")
        for item in schema.get("compatible", []):
            lines.append(f"compatible: {item}")
    if d.get("memory"):
        lines.append("embeds for: " + ", ".join(d["memory"]))
    if d.get("migration"):
        lines.append(f"declared migration: {short(d['migration'])}")
    if change.irreversible:
        lines.append("irreversible: a config rollback cannot undo this")
    return lines


def by_artefact(result: DiffResult) -> list[tuple[str, list[Change]]]:
    """Changes grouped by artefact, in report order."""
    groups: dict[str, list[Change]] = {}
    for change in result.changes:
        groups.setdefault(change.artefact, []).append(change)
    return list(groups.items())


def summary(result: DiffResult) -> str:
    """``5 changes in 3 artefacts: 1 critical, 2 high, 2 medium (max risk: critical)``."""
    if result.empty:
        return "no changes"
    n, m = len(result.changes), len(result.artefacts)
    counts = ", ".join(f"{k} {level}" for level, k in reversed(result.counts.items()) if k)
    text = (f"{n} change{'s' * (n != 1)} in {m} artefact{'s' * (m != 1)}: {counts} "
            f"(max risk: {result.max_risk.name})")
    if result.irreversible:
        text += f"; {len(result.irreversible)} cannot be undone by a rollback"
    return text


def group_risk(changes: list[Change]) -> RiskLevel:
    return max(c.risk for c in changes)
