"""What makes a prompt change risky: its text (shown as a unified diff, with the template
variables it now uses or no longer uses), its declared variables, its format."""

from __future__ import annotations

from typing import Any

from agentcfg.artefacts.template_vars import TemplateSyntaxError, template_variables
from agentcfg.semdiff.compare.base import Pair, Row, generic, row, unified


def _used(prompt: dict[str, Any]) -> set[str]:
    text, fmt = prompt.get("template"), prompt.get("format", "mustache")
    if not isinstance(text, str):
        return set()
    try:
        return template_variables(text, str(fmt))
    except TemplateSyntaxError:
        return set()


def _delta(old: Any, new: Any) -> dict[str, list[str]]:
    a, b = set(old), set(new)
    return {"variables_added": sorted(b - a), "variables_removed": sorted(a - b)}


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key == "template":
            if old == new:
                continue
            a = old if isinstance(old, str) else ""
            b = new if isinstance(new, str) else ""
            rows.append(row(key, old, new, "prompt-text", text_diff=unified(a, b, f"prompts/{pair.name}"),
                            details=_delta(_used(pair.old), _used(pair.new))))
        elif key == "variables":
            if old != new:
                a_list = old if isinstance(old, list) else []
                b_list = new if isinstance(new, list) else []
                rows.append(row(key, old, new, "prompt-variables", details=_delta(a_list, b_list)))
        elif key == "format":
            if old != new:
                rows.append(row(key, old, new, "prompt-format"))
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
