"""Match two rendered configs artefact by artefact and turn their differences into changes.

Fast path first: each artefact's canonical digest is compared, and only artefacts whose
digests differ are walked field by field (a 2,000-artefact config with 1% changed deep-diffs
20 artefacts). Artefacts are matched by name; an added and a removed artefact with identical
content are one rename. Which risk rule a field change falls under is decided by the per-kind
comparers in ``agentcfg.semdiff.compare``; its level and reason come from ``agentcfg.semdiff.risk``.
"""

from __future__ import annotations

from typing import Any

from agentcfg.canonical import digest_value
from agentcfg.semdiff.compare import COMPARERS
from agentcfg.semdiff.compare.base import Context, Pair, Row, content_key, leaves, row
from agentcfg.semdiff.compare.models import floats
from agentcfg.semdiff.compare.policies import has_rules
from agentcfg.semdiff.impact import ImpactGraph
from agentcfg.semdiff.redaction import display, display_diff, secret_appears
from agentcfg.semdiff.result import Change, DiffResult, Side
from agentcfg.semdiff.risk import strongest
from agentcfg.names import SECTIONS

ORDER = (*SECTIONS, "policies")
"""Sections in report order; ``policies`` are keyed by environment."""
TOP_LEVEL = "config"  # pseudo artefact for top-level keys such as `name`
DIGEST_ONLY_MEDIUM = ("prompts", "data")


def _entries(config: dict[str, Any], section: str) -> dict[str, Any]:
    value = config.get(section)
    return value if isinstance(value, dict) else {}


def _find_renames(section: str, old: dict[str, Any], new: dict[str, Any],
                  removed: list[str], added: list[str]) -> dict[str, str]:
    """{old name: new name} for removed/added artefacts with identical content (first match wins)."""
    if section == "policies" or not removed or not added:
        return {}
    by_content: dict[str, list[str]] = {}
    for name in removed:
        by_content.setdefault(content_key(section, old[name]), []).append(name)
    renames: dict[str, str] = {}
    for name in added:
        candidates = by_content.get(content_key(section, new[name]))
        if candidates:
            renames[candidates.pop(0)] = name
    return renames


def diff_configs(old: dict[str, Any] | None, new: dict[str, Any] | None, *,
                 old_side: Side | None = None, new_side: Side | None = None,
                 old_digests: dict[str, str] | None = None, new_digests: dict[str, str] | None = None) -> DiffResult:
    """Semantic diff of two rendered configs (``None`` is an empty config). Pure; never raises
    for odd content: an unexpected shape is reported as an ``unclassified`` change.

    ``old_digests``/``new_digests`` (a render's ``artefacts``: id → digest of the rendered entry)
    spare re-hashing every unchanged artefact; data entries are always re-hashed,
    since a render records their *content* digest there.
    """
    old, new = old or {}, new or {}
    ctx = Context(old, new)
    plan: list[tuple[str, list[str], list[str], list[str]]] = []
    for section in ORDER:
        a, b = _entries(old, section), _entries(new, section)
        known_a = old_digests if old_digests is not None and section != "data" else {}
        known_b = new_digests if new_digests is not None and section != "data" else {}

        def entry_digest(entries: dict[str, Any], known: dict[str, str], name: str) -> str:
            return known.get(f"{section}/{name}") or digest_value(entries[name])

        changed = [n for n in sorted(a.keys() & b.keys())
                   if entry_digest(a, known_a, n) != entry_digest(b, known_b, n)]
        removed, added = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
        ctx.renames[section] = _find_renames(section, a, b, removed, added)
        plan.append((section, changed, removed, added))

    impact = ImpactGraph(old, new)
    # The graphs of each side alone are needed only for removed or added artefacts (who used
    # them): built on first use, they cost nothing on the usual pull request.
    users: dict[str, ImpactGraph] = {}

    def side_users(which: str) -> ImpactGraph:
        if which not in users:
            users[which] = ImpactGraph(old if which == "old" else new)
        return users[which]

    changes: list[Change] = []
    for key in sorted((set(old) | set(new)) - set(ORDER)):
        if digest_value(old.get(key)) != digest_value(new.get(key)):
            rule = "metadata" if key in ("name", "description", "format_version") else "unclassified"
            changes.append(_finish(TOP_LEVEL, row(key, old.get(key), new.get(key), rule), []))

    for section, changed, removed, added in plan:
        a, b = _entries(old, section), _entries(new, section)
        renames = ctx.renames[section]
        rows_by_name: list[tuple[str, str, list[Row], tuple[str, ...]]] = []
        for name in changed:
            aid = f"{section}/{name}"
            rows_by_name.append((name, aid, _compare(section, name, a[name], b[name], ctx), impact.impact(aid)))
        for old_name, new_name in renames.items():
            aid = f"{section}/{new_name}"
            rule = "tool-renamed" if section == "tools" else "renamed"
            both = impact.impact(aid, f"{section}/{old_name}")
            rows_by_name.append((new_name, aid, [Row("", old_name, new_name, [rule], "renamed")], both))
        for name in (n for n in removed if n not in renames):
            aid = f"{section}/{name}"
            rows_by_name.append((name, aid, [_removed(section, aid, a[name], side_users("old"))], impact.impact(aid)))
        for name in (n for n in added if n not in renames.values()):
            aid = f"{section}/{name}"
            rows_by_name.append((name, aid, [_added(section, aid, b[name], side_users("new"))], impact.impact(aid)))
        for _, aid, rows, hit in sorted(rows_by_name, key=lambda t: t[0]):
            scope = () if section == "policies" else hit
            changes.extend(_finish(aid, r, list(scope)) for r in rows)
    return DiffResult(changes, old_side, new_side, old_config=old, new_config=new)


def _compare(section: str, name: str, old: Any, new: Any, ctx: Context) -> list[Row]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [row("", old, new, "unclassified")]
    try:
        return COMPARERS[section](Pair(section, name, old, new, ctx))
    except (TypeError, ValueError, AttributeError, KeyError):
        # A shape no valid config has (a hand-edited release file): still report every field,
        # unclassified (medium), rather than fail the whole diff.
        return [row(".".join(path), a, b, "unclassified") for path, a, b in leaves(old, new)]


def _added(section: str, aid: str, item: Any, users: ImpactGraph) -> Row:
    if section == "policies":
        rules = ["policy-strengthened"]
    elif section == "mcp_servers":
        rules = ["server-added"]
    else:
        rules = ["added-in-use" if users.users(aid) else "added-unused"]
    if section == "models" and floats(item):
        rules.append("model-floating")
    return Row("", None, item, rules, "added")


def _removed(section: str, aid: str, item: Any, users: ImpactGraph) -> Row:
    if section == "policies":
        rules = ["policy-weakened" if has_rules(item) else "removed-unused"]
    else:
        rules = ["removed-in-use" if users.users(aid) else "removed-unused"]
    return Row("", item, None, rules, "removed")


def _finish(aid: str, r: Row, impact: list[str]) -> Change:
    """A row → a change: strongest rule, redacted values, and a secret check on the new value."""
    key = r.path.rsplit(".", 1)[-1] if r.path else None
    rules = list(r.rules)
    if r.kind != "renamed" and secret_appears(r.old, r.new, key):
        rules.append("secret-literal")
    top = strongest(rules)
    return Change(
        artefact=aid, kind=r.kind, path=r.path, old=display(r.old, key), new=display(r.new, key),
        risk=top.level, reason=top.reason, rule=top.id, impact=impact,
        text_diff=display_diff(r.text_diff), details=display(r.details), irreversible=r.irreversible,
    )


def artefact_digests(config: dict[str, Any]) -> dict[str, str]:
    """Artefact id → digest, computed as the lock computes them (data by content digest)."""
    out: dict[str, str] = {}
    for section in SECTIONS:
        for name, item in _entries(config, section).items():
            digest = item.get("digest") if section == "data" and isinstance(item, dict) else None
            out[f"{section}/{name}"] = digest if isinstance(digest, str) else digest_value(item)
    for env, policy in _entries(config, "policies").items():
        out[f"policies/{env}"] = digest_value(policy)
    return out


def diff_digests(old: dict[str, str], new: dict[str, str], *, old_side: Side | None = None,
                 new_side: Side | None = None) -> DiffResult:
    """Digest-level diff (one side is a lock file): added, removed or changed artefacts only,
    with the risk of the artefact's kind (rules ``digest-only-*``) and no impact."""
    changes: list[Change] = []
    order = {s: i for i, s in enumerate(ORDER)}
    for aid in sorted(old.keys() | new.keys(), key=lambda x: (order.get(x.split("/", 1)[0], 99), x)):
        a, b = old.get(aid), new.get(aid)
        if a == b:
            continue
        kind = "added" if a is None else "removed" if b is None else "changed"
        section = aid.split("/", 1)[0]
        rule = "digest-only-medium" if section in DIGEST_ONLY_MEDIUM else "digest-only-high"
        changes.append(_finish(aid, Row("", a, b, [rule], kind), []))
    return DiffResult(changes, old_side, new_side)


__all__ = ["artefact_digests", "diff_configs", "diff_digests"]
