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


def _block(change: GraphChange) -> list[str]:
    shown = change.shown
    if shown is None:
        return [f"_Too many changed nodes to draw (more than {DRAW_LIMIT}); the changes are listed below._"]
    out = ["```mermaid", *to_mermaid(shown, titled=False).rstrip("\n").split("\n"), "```"]
    if len(shown.nodes) < change.total_nodes:
        out.append(f"_{len(shown.nodes)} of {change.total_nodes} nodes shown (the graph has more than "
                   f"{FOCUS_LIMIT}): the changed ones and their neighbours; `agentcfg graph --graph` "
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
    for change in changes:
        out += ["", _headline(change), "", *_block(change)]
    out += ["", f"<sub>{_plain(DIFF_LEGEND)}. {_plain(LEGEND)}.</sub>"]
    return out


__all__ = ["graph_pictures"]
