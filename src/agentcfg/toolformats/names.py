"""Tool names every provider accepts, and agentcfg can use as an artefact name and a file name.

OpenAI and Anthropic accept ``^[a-zA-Z0-9_-]{1,64}$``; MCP also allows dots and up to 128
characters; agentcfg names must start with a letter or digit. An imported name outside the
strictest of these is rewritten (and reported), so the tool works with every provider.
"""

from __future__ import annotations

import hashlib
import re

PROVIDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
MAX_LEN = 64
_BAD_RUN = re.compile(r"[^A-Za-z0-9_-]+")


def safe_name(name: str) -> tuple[str, list[str]]:
    """(a name matching :data:`PROVIDER_NAME`, the reasons it had to change)."""
    if PROVIDER_NAME.match(name):
        return name, []
    reasons: list[str] = []
    bad = sorted({c for c in name if not re.match(r"[A-Za-z0-9_-]", c)})
    if bad:
        shown = ", ".join("space" if c == " " else repr(c) for c in bad)
        reasons.append(f"characters providers refuse ({shown})")
    fixed = _BAD_RUN.sub("_", name)
    stripped = fixed.lstrip("_-")
    if stripped != fixed:
        reasons.append("must start with a letter or digit")
    fixed = stripped or "tool"
    if len(fixed) > MAX_LEN:
        reasons.append(f"longer than {MAX_LEN} characters ({len(name)})")
        # A hash of the original keeps two long names with a common prefix apart, deterministically.
        fixed = f"{fixed[:MAX_LEN - 9]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return fixed, reasons


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``… not in ``taken`` (compared case-insensitively:
    the names become file names, and macOS and Windows file systems ignore case)."""
    lowered = {t.lower() for t in taken}
    if name.lower() not in lowered:
        return name
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = f"{name[:MAX_LEN - len(suffix)]}{suffix}"
        if candidate.lower() not in lowered:
            return candidate
        n += 1
