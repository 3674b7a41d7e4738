"""Escaping for each drawing format, and the safe identifiers nodes are drawn under.

Node names are user text (a release file's config is trusted for its digest, not its shape),
so no name is ever written as an identifier: nodes are drawn as ``n0``, ``n1``… and names
appear only inside quoted labels, escaped for the format at hand.
"""

from __future__ import annotations

import re

# Mermaid: inside a "quoted" label only these pass as they are. Everything else, quotes,
# brackets, `#`, `;`, `|`, backticks (which would open a markdown string, or close the
# ```mermaid fence of a pull-request comment), `<`/`>`/`&` and every non-ASCII character, is
# written as Mermaid's numeric entity `#NNN;`, which Mermaid turns into the HTML character
# reference `&#NNN;`: text on the page, never markup.
MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 _.,:=!'/+*?@-]")


def mermaid_text(text: str) -> str:
    """``text`` for a double-quoted Mermaid label; newlines become ``<br>`` line breaks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join("".join(c if MERMAID_PLAIN.fullmatch(c) else f"#{ord(c)};" for c in line)
                       for line in lines)


def dot_text(text: str) -> str:
    """``text`` for a double-quoted DOT string; newlines become centred line breaks.

    Backslashes are doubled so that user text can never form an escString (``\\N``, ``\\G``,
    ``\\l``); ``&`` is written ``&amp;`` because Graphviz decodes HTML entities in labels.
    """
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def ids_for(names: list[str], prefix: str = "n") -> dict[str, str]:
    """One safe identifier per name, in order: ``n0``, ``n1``…"""
    return {name: f"{prefix}{i}" for i, name in enumerate(dict.fromkeys(names))}


__all__ = ["MERMAID_PLAIN", "dot_text", "ids_for", "mermaid_text"]
