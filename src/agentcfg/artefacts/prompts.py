"""`prompts`: templates (file or inline), `format`, declared `variables` (locked as text digest)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentcfg.artefacts.base import Strict
from agentcfg.artefacts.template_vars import TemplateSyntaxError, template_variables  # noqa: F401 - re-exported

PromptFormat = Literal["mustache", "jinja2", "f-string", "text"]
"""`text`: no templating at all. The text is used exactly as written, so braces in a system
prompt (`{{Hostname}}` meant literally, JSON examples) need no escaping, and there are no
variables."""


class Prompt(Strict):
    file: str | None = None
    template: str | None = None
    format: PromptFormat = "mustache"
    variables: list[str] = Field(default_factory=list)
    description: str | None = None

    @model_validator(mode="after")
    def _has_template(self) -> "Prompt":
        if self.template is None:
            raise ValueError("give the template inline ('template') or as a file ('file')")
        if self.format == "text" and self.variables:
            raise ValueError("a `format: text` prompt has no variables (its text is used as written): "
                             "remove `variables`, or choose a template format")
        return self
