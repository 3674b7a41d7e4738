"""Console markup shared by the core's text renderings and the CLI that prints them.

The diff's text rendering is core (the library returns it as lines), but only
``agentcfg.cli.ui`` imports rich and prints. Both need the same markup escape and the same
colour per risk level, so they live here, below both, and the core never imports the CLI.
"""

from __future__ import annotations

import re

RISK_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "none": "dim"}

# rich treats `[word]`, `[/...]`, `[#hex]` and `[@handler]` as tags; escaping a backslash run
# before such a bracket doubles it, as rich.markup.escape does.
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """rich.markup.escape, without importing rich (tests/test_ui_plain.py checks they agree)."""
    text = _ESCAPE.sub(lambda m: f"{m[1]}{m[1]}\\{m[2]}", text)
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text
