"""The pictures in a pull-request comment: one ```mermaid block per changed graph.

GitHub and GitLab draw such blocks in comments. The diagram text holds no backtick (every
one is escaped), so a label can never close the fence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcfg.graphs.changes import DRAW_LIMIT, FOCUS_LIMIT, GraphChange, graph_changes
from agentcfg.graphs.mermaid import to_mermaid
from agentcfg.graphs.style import DIFF_LEGEND, LEGEND

if TYPE_CHECKING:
    from agentcfg.semdiff.result import DiffResult


def _plain(text: str) -> str:
    """Text for a markdown paragraph: no markup, no HTML (names come from the config)."""
    import html

    out = html.escape(text, quote=False)
    for c in "\\`*_[]#|~":
        out = out.replace(c, "\\" + c)
    return out


def _headline(change: GraphChange) -> str:
    counts = ", ".join(f"{n} {what}{'s' * (n != 1)}" for what, n in sorted(change.counts.items()))
    what = {"added": "new graph", "removed": "graph removed"}.get(change.kind, counts or "changed")
    notes = "; ".join(change.picture.notes)
    return f"**orchestration/{_plain(change.name)}**: {_plain(what)}" + (f"; {_plain(notes)}" if notes else "")


_PART = {"neighbourhood": "the changed ones and their neighbours", "changed": "only the changed ones (with "
         "their neighbours they would be too many)"}
PICTURE_BUDGET = 40_000  # characters of diagrams per comment: GitHub refuses comments over 65,536


def _block(change: GraphChange, budget: int) -> list[str]:
    shown = change.shown
    if shown is None:
        return [f"_Too many changed nodes to draw (more than {DRAW_LIMIT}); the changes are listed below._"]
    diagram = to_mermaid(shown, titled=False).rstrip("\n")
    if len(diagram) > budget:
        return ["_Not drawn: the pictures above fill this comment; `agentcfg graph --graph` "
                f"{_plain(change.name)} draws this graph._"]
    out = ["```mermaid", *diagram.split("\n"), "```"]
    if change.scope in _PART:
        out.append(f"_{len(shown.nodes)} of {change.total_nodes} nodes shown (the graph has more than "
                   f"{FOCUS_LIMIT}): {_PART[change.scope]}; `agentcfg graph --graph` "
                   f"{_plain(change.name)} draws it whole._")
    return out


def graph_pictures(result: DiffResult) -> list[str]:
    """Markdown lines picturing every graph whose drawing changed ([] when none did)."""
    renamed = {c.old: c.new for c in result.changes
               if c.kind == "renamed" and not c.path and c.artefact.startswith("orchestration/")
               and isinstance(c.old, str) and isinstance(c.new, str)}
    changes = graph_changes(result.old_config, result.new_config, result.env, renamed)
    if not changes:
        return []
    out = ["", "#### Orchestration graphs"]
    budget = PICTURE_BUDGET
    for change in changes:
        block = _block(change, budget)
        budget -= sum(len(line) + 1 for line in block)
        out += ["", _headline(change), "", *block]
    out += ["", f"<sub>{_plain(DIFF_LEGEND)}. {_plain(LEGEND)}.</sub>"]
    return out


__all__ = ["PICTURE_BUDGET", "graph_pictures"]
