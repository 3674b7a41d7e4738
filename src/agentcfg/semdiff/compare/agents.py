"""What makes an agent change risky: its model, prompt, tools (matched by name), memory, code.

A reference that now names another artefact with identical content (the other end of a rename)
is reported but low: the agent runs the same definition as before.
"""

from __future__ import annotations

from agentcfg.semdiff.compare.base import Pair, Row, generic, named_list, row, same

# field → (section it references, rule when it points at different content)
REFERENCES = {
    "model": ("models", "agent-model"),
    "prompt": ("prompts", "agent-prompt"),
    "memory": ("memory", "agent-memory"),
    "code": ("code", "agent-code"),
}


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    for key in pair.keys:
        old, new = pair.get(key)
        if key in REFERENCES:
            if same(old, new):
                continue
            section, rule = REFERENCES[key]
            if pair.ctx.same_content(section, old, new):
                rule = "reference-same-content"
            rows.append(row(key, old, new, rule))
        elif key == "tools":
            rows += named_list(old, new, "tools", "agent-gains-tool", "agent-loses-tool", "list-reordered",
                               pair.ctx, "tools")
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
