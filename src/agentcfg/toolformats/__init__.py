"""Tool definitions in other formats: import from and export to MCP, OpenAI and Anthropic.

agentcfg's own tool shape is MCP's ``Tool`` (``name``, ``title``, ``description``,
``inputSchema``, ``outputSchema``, ``annotations``) plus ``approval``. :func:`import_tools`
reads provider definitions into it, reporting every change it had to make;
:func:`export_tools` writes it back out in the shape each provider's SDK takes.
"""

from __future__ import annotations

from agentcfg.toolformats.exporting import EXPORT_FORMATS, export_tools
from agentcfg.toolformats.files import ImportReport, import_tool_file
from agentcfg.toolformats.importing import FORMATS, ImportIssue, ImportResult, import_tools
from agentcfg.toolformats.schemas import strict_problems

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "ImportIssue",
    "ImportReport",
    "ImportResult",
    "export_tools",
    "import_tool_file",
    "import_tools",
    "strict_problems",
]
