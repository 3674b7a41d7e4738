"""Console markup shared by the core's text renderings and the CLI that prints them.

The diff's text rendering is core (the library returns it as lines), but only
``agentcfg.cli.ui`` imports rich and prints. Both need the same markup escape and the same
colour per risk level, so they live here, below both, and the core never imports the CLI.
"""

from __future__ import annotations

import re2

RISK_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "none": "dim"}

# rich treats `[word]`, `[/...]`, `[#hex]` and `[@handler]` as tags; escaping a backslash run
# before such a bracket doubles it, as rich.markup.escape does. Compiled by RE2: with Python's re,
# a run of backslashes not followed by a tag is rescanned from each of its positions (100,000
# backslashes in a printed value: minutes).
_ESCAPE = re2.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def escape(text: str) -> str:
    """rich.markup.escape, without importing rich (tests/test_ui_plain.py checks they agree)."""
    if "[" in text:
        text = _ESCAPE.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    return text + "\\" if text.endswith("\\") and not text.endswith("\\\\") else text
