"""How a :class:`~agentcfg.semdiff.result.DiffResult` is shown: text (rich markup, for the
terminal), markdown (a pull-request comment) and JSON (``to_dict``, stable and documented)."""

from __future__ import annotations

from agentcfg.semdiff.formats.markdown import render_markdown
from agentcfg.semdiff.formats.text import render_stat, render_text

__all__ = ["render_markdown", "render_stat", "render_text"]
