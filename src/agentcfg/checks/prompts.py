"""Prompt variables: what a template uses must be declared, and what is declared must be used."""

from __future__ import annotations

import re

from agentcfg.artefacts.template_vars import TemplateSyntaxError, template_variables
from agentcfg.errors import Finding, Location
from agentcfg.manifest.loader import Loaded


def check(loaded: Loaded) -> None:
    assert loaded.manifest is not None
    for name, prompt in loaded.manifest.prompts.items():
        aid = f"prompts/{name}"
        if aid in loaded.settled:
            continue
        where = ("prompts", name, "template")
        try:
            used = template_variables(prompt.template or "", prompt.format)
        except TemplateSyntaxError as exc:
            loaded.finding("prompt-syntax", str(exc), where, artefact=aid)
            continue
        declared = set(prompt.variables)
        if len(declared) != len(prompt.variables):
            loaded.finding("duplicate-variable", "a variable is declared twice", ("prompts", name, "variables"),
                           artefact=aid)
        for var in sorted(used - declared):
            loc = _location_of(loaded, where, prompt.template or "", var)
            loaded.findings.append(Finding(
                "undeclared-variable", f"template uses '{var}' but it is not in `variables`",
                loc.file, loc.line, loc.col, aid, hint=f"add '{var}' to `variables:` or remove it from the template"))
        for var in sorted(declared - used):
            loaded.finding("unused-variable", f"variable '{var}' is declared but the template never uses it",
                           ("prompts", name, "variables"), artefact=aid,
                           hint=f"remove '{var}' from `variables:` or use it in the template")


def _location_of(loaded: Loaded, where: tuple[str, ...], text: str, var: str) -> Location:
    """The line of the first use of ``var`` when the template is its own file."""
    loc = loaded.sources.location(where)
    doc, _ = loaded.sources.document(where)
    # The variable as a whole word inside a `{...}` tag; a bare text.find would stop at the same
    # word in prose ("your name" before "{{name}}") or inside a longer name.
    m = re.search(r"\{[^{}]*?\b(" + re.escape(var) + r")\b", text)
    idx = m.start(1) if m else text.find(var)
    if doc.data == text and idx >= 0:  # the template file itself, not a manifest string
        line = text.count("\n", 0, idx) + 1
        col = idx - (text.rfind("\n", 0, idx) + 1) + 1
        return Location(loc.file, line, col)
    return loc
