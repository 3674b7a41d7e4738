"""The look shared by the Mermaid and DOT writers: one palette, one meaning per colour.

A reviewer learns it once (the legend under a pull-request picture says it in words): blue
agents, grey tools, yellow human approvals, a thick red border for whatever needs a person's
approval; in a diff green is added, dashed red removed, orange changed.
"""

from __future__ import annotations

KIND_FILL = {"agent": "#e7f5ff", "tool": "#f1f3f5", "human": "#fff9db", "unknown": "#ffffff"}
KIND_STROKE = {"agent": "#1971c2", "tool": "#495057", "human": "#e67700", "unknown": "#868e96"}
TERMINAL_FILL, TERMINAL_TEXT = "#212529", "#ffffff"
APPROVAL_STROKE = "#c92a2a"
STATUS_FILL = {"added": "#d3f9d8", "removed": "#ffe3e3", "changed": "#ffe8cc"}
STATUS_STROKE = {"added": "#2b8a3e", "removed": "#c92a2a", "changed": "#e8590c"}

LEGEND = ("blue: agent (with its model) · grey: tool (with its side effects) · yellow hexagon: human "
          "approval step (with its approvers) · thick red border: a tool that needs a person's approval · "
          "thin red border: an agent that calls such a tool · start → the entry node; END ends a run")
DIFF_LEGEND = ("green, thick arrow: added · red, dashed: removed · orange: changed "
               "(its model, side effects, approvers, approval or condition)")

__all__ = ["APPROVAL_STROKE", "DIFF_LEGEND", "KIND_FILL", "KIND_STROKE", "LEGEND", "STATUS_FILL",
           "STATUS_STROKE", "TERMINAL_FILL", "TERMINAL_TEXT"]
