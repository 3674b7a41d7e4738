"""What makes a tool change risky: side-effect hints, approval, description, schemas, code.

Hints are compared by their *effective* values (MCP defaults filled in, a read-only tool never
destructive), so writing out a default is harmless and removing ``readOnlyHint: true`` is not.
"""

from __future__ import annotations

from typing import Any

from agentcfg.artefacts.hints import ANNOTATION_DEFAULTS, effective_hints
from agentcfg.canonical import pretty_json
from agentcfg.semdiff.compare.base import MISSING, Pair, Row, generic, row, unified
from agentcfg.semdiff.schema_compat import compare_schemas

# hint → (the value that means "more side effects", rule when gained, rule when dropped)
_HINT_RULES = {
    "readOnlyHint": (False, "tool-gains-write", "tool-drops-side-effect"),
    "destructiveHint": (True, "tool-gains-destructive", "tool-drops-side-effect"),
    "openWorldHint": (True, "tool-gains-open-world", "tool-drops-side-effect"),
    "idempotentHint": (False, "tool-idempotency-lost", "tool-idempotency-gained"),
}


def _annotations(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _hints(pair: Pair) -> list[Row]:
    ann_old, ann_new = _annotations(pair.old.get("annotations")), _annotations(pair.new.get("annotations"))
    eff_old, eff_new = effective_hints(ann_old), effective_hints(ann_new)
    rows: list[Row] = []
    for hint in ANNOTATION_DEFAULTS:
        details = {"declared": {"old": ann_old.get(hint), "new": ann_new.get(hint)},
                   "effective": {"old": eff_old[hint], "new": eff_new[hint]}}
        path = f"annotations.{hint}"
        if eff_old[hint] != eff_new[hint]:
            # Shown as effective values: `absent → false` on destructiveHint is `true → false`.
            worse, gained, dropped = _HINT_RULES[hint]
            rule = gained if eff_new[hint] == worse else dropped
            rows.append(Row(path, eff_old[hint], eff_new[hint], [rule], details=details))
        elif ann_old.get(hint) != ann_new.get(hint):
            rows.append(row(path, ann_old.get(hint, MISSING), ann_new.get(hint, MISSING), "tool-hint-declared",
                            details=details))
    for key in sorted((set(ann_old) | set(ann_new)) - set(ANNOTATION_DEFAULTS)):
        if ann_old.get(key) != ann_new.get(key):
            rows.append(row(f"annotations.{key}", ann_old.get(key, MISSING), ann_new.get(key, MISSING), "metadata"))
    return rows


def _schema(pair: Pair, key: str) -> Row:
    old, new = pair.get(key)
    o = None if old is MISSING else old
    n = None if new is MISSING else new
    label = f"tools/{pair.name}/{key}"
    diff = unified(pretty_json(o) if o is not None else "", pretty_json(n) if n is not None else "", label)
    if key == "inputSchema":
        classified = compare_schemas(o, n)
        rule = "tool-input-breaking" if classified.compatibility == "breaking" else "tool-input-compatible"
        return row(key, old, new, rule, text_diff=diff, details={"schema": classified.to_dict()})
    return row(key, old, new, "tool-output-changed", text_diff=diff)


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key == "annotations":
            rows += _hints(pair)
        elif key in ("inputSchema", "outputSchema"):
            if old != new:
                rows.append(_schema(pair, key))
        elif key == "approval":
            if old != new:
                if old == "required":
                    rule = "tool-loses-approval"
                elif new == "required":
                    rule = "tool-gains-approval"
                else:
                    rule = "metadata"  # absent → "never": the default written out
                rows.append(row(key, old, new, rule))
        elif key == "description":
            rows += generic(pair, key, lambda _: "tool-description")
        elif key == "code":
            if old != new:
                same = pair.ctx.same_content("code", old, new)
                rows.append(row(key, old, new, "reference-same-content" if same else "tool-code-changed"))
        elif key == "handler":
            if old != new:
                rows.append(row(key, old, new, "tool-handler-changed"))
        elif key == "server":
            if old != new:
                rows.append(row(key, old, new, "tool-server-changed"))
        elif key in ("title", "name"):
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
