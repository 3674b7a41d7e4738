"""The terminal rendering: rich markup lines, grouped by artefact kind, then a summary line.

Only markup is produced here, every user-supplied string escaped (:mod:`agentcfg.markup`);
``agentcfg.cli.ui``, the one module importing rich, prints it.
"""

from __future__ import annotations

from agentcfg.markup import RISK_STYLE, escape
from agentcfg.semdiff.formats.values import by_artefact, change_text, extra_lines, group_risk, summary
from agentcfg.semdiff.result import DiffResult
from agentcfg.semdiff.risk import RiskLevel

MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": "»"}
DIFF_STYLE = {"+": "green", "-": "red", "@": "cyan"}


def _risk(level: RiskLevel) -> str:
    return f"[{RISK_STYLE[level.name]}]{level.name}[/]"


def _header(result: DiffResult) -> list[str]:
    if result.old_side is None and result.new_side is None:
        return []
    old = result.old_side.label if result.old_side else "nothing"
    new = result.new_side.label if result.new_side else "nothing"
    return [f"[bold]{escape(old)} → {escape(new)}[/]"]


def _summary(result: DiffResult) -> str:
    text = escape(summary(result))
    return f"[bold]{text}[/]" if not result.empty else text


def render_text(result: DiffResult) -> list[str]:
    """Every change, grouped by artefact kind; impact per artefact; text diffs indented."""
    lines = _header(result)
    section = None
    for aid, changes in by_artefact(result):
        if changes[0].section != section:
            section = changes[0].section
            lines.append(f"[bold underline]{escape(section)}[/]")
        impact = changes[0].impact
        used_by = f"  [dim]impact: {escape(', '.join(impact))}[/]" if impact else ""
        lines.append(f"  [bold]{escape(aid)}[/]  {_risk(group_risk(changes))}{used_by}")
        for c in changes:
            where = escape(c.path or "(artefact)")
            lines.append(f"    {MARK[c.kind]} {where}: {escape(change_text(c))}  {_risk(c.risk)}  "
                         f"[dim]{escape(c.reason)} \\[{c.rule}][/]")
            lines += [f"        {escape(x)}" for x in extra_lines(c)]
            if c.text_diff:
                for line in c.text_diff.splitlines():
                    style = DIFF_STYLE.get(line[:1], "")
                    shown = escape(line)
                    lines.append(f"        [{style}]{shown}[/]" if style and not line.startswith(("+++", "---"))
                                 else f"        {shown}")
    lines += evidence_lines(result)
    lines.append(_summary(result))
    return lines


def evidence_lines(result: DiffResult) -> list[str]:
    """`evidence support_evals: passed → failed; pass_rate 1.0 → 0.75 (-0.25)` per shared name."""
    lines = ["[bold underline]evidence[/]"] if result.evidence else []
    for e in result.evidence:
        metrics = "; ".join(f"{m['metric']} {m['old']} → {m['new']}" + (f" ({m['delta']:+g})" if m["delta"] else "")
                            for m in e["metrics"])
        lines.append(f"  [bold]{escape(e['name'])}[/]  {e['old']['verdict']} → {e['new']['verdict']}"
                     + (f"; {escape(metrics)}" if metrics else ""))
    return lines


def render_stat(result: DiffResult) -> list[str]:
    """One line per artefact: id, number of changes, highest risk, impact size; then the summary."""
    lines = _header(result)
    groups = by_artefact(result)
    width = max((len(aid) for aid, _ in groups), default=0)
    for aid, changes in groups:
        n = len(changes)
        kinds = "/".join(dict.fromkeys(c.kind for c in changes))
        impact = len(changes[0].impact)
        lines.append(f"  {escape(aid.ljust(width))}  {n:>3} change{'s' * (n != 1)} ({kinds})  "
                     f"{_risk(group_risk(changes))}" + (f"  [dim]impact {impact}[/]" if impact else ""))
    lines.append(_summary(result))
    return lines
