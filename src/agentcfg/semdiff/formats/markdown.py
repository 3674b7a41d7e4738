"""The pull-request comment: a summary table, then one collapsible section per artefact.

GitHub-flavoured markdown: a table of counts per risk level, a table of artefacts, and for each
artefact a ``<details>`` block with its changes and any text diffs. Every user string is
escaped for the place it lands (table cell, code span, HTML summary).
"""

from __future__ import annotations

import html
import re

from agentcfg.semdiff.formats.values import by_artefact, change_text, extra_lines, group_risk, summary
from agentcfg.semdiff.result import Change, DiffResult
from agentcfg.semdiff.risk import RiskLevel
from agentcfg.graphs.markdown import graph_pictures

ICON = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "none": "⚪"}
MAX_DIFF_LINES = 200  # GitHub refuses comments over 65,536 characters


def _risk(level: RiskLevel) -> str:
    return f"{ICON[level.name]} {level.name}"


def code(text: str) -> str:
    """A code span safe inside a table cell (backticks and pipes handled)."""
    text = text.replace("|", "\\|").replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """Plain text safe inside a table cell."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def _fenced(text: str) -> list[str]:
    lines = text.splitlines()
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"… {len(lines) - MAX_DIFF_LINES} more lines"]
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}diff", *lines, fence]


def _changes_table(changes: list[Change]) -> list[str]:
    out = ["| Field | Change | Risk | Why |", "|---|---|---|---|"]
    for c in changes:
        notes = "".join(f"<br>{cell(x)}" for x in extra_lines(c))
        out.append(f"| {code(c.path) if c.path else '(artefact)'} | {code(change_text(c))} | {_risk(c.risk)} | "
                   f"{cell(c.reason)} (`{c.rule}`){notes} |")
    return out


def render_markdown(result: DiffResult) -> str:
    """The whole comment as one markdown string (ends with a newline)."""
    old = result.old_side.label if result.old_side else None
    new = result.new_side.label if result.new_side else None
    title = "### agentcfg diff" + (f": {code(old or 'nothing')} → {code(new or 'nothing')}" if old or new else "")
    if result.empty:
        return f"{title}\n\n**No changes.**\n"
    out = [title, "", f"**{cell(summary(result))}**", "", "| Risk | Changes |", "|---|---:|"]
    out += [f"| {_risk(level)} | {result.counts[level.name]} |" for level in reversed(RiskLevel)
            if result.counts[level.name]]
    out += ["", "| Artefact | Changes | Risk | Impact |", "|---|---:|---|---|"]
    groups = by_artefact(result)
    for aid, changes in groups:
        impact = ", ".join(code(a) for a in changes[0].impact) or "–"
        out.append(f"| {code(aid)} | {len(changes)} | {_risk(group_risk(changes))} | {impact} |")
    if result.evidence:
        out += ["", "| Evidence | Metric | Old | New | Δ |", "|---|---|---:|---:|---:|"]
        for e in result.evidence:
            out.append(f"| {code(e['name'])} | verdict | {e['old']['verdict']} | {e['new']['verdict']} | |")
            out += [f"| {code(e['name'])} | {code(m['metric'])} | {m['old']} | {m['new']} | "
                    f"{format(m['delta'], '+g') if m['delta'] is not None else ''} |" for m in e["metrics"]]
    out += graph_pictures(result)
    for aid, changes in groups:
        n = len(changes)
        summary_line = (f"<summary>{_risk(group_risk(changes))} · <code>{html.escape(aid)}</code> · "
                        f"{n} change{'s' * (n != 1)}</summary>")
        out += ["", "<details>", summary_line, ""]
        out += _changes_table(changes)
        if changes[0].impact:
            out += ["", "Impact: " + ", ".join(code(a) for a in changes[0].impact)]
        for c in changes:
            if c.text_diff:
                out += ["", f"{code(c.path or aid)}:", "", *_fenced(c.text_diff)]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
