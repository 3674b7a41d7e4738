"""`init`: scaffold a new project, or copy a bundled example. Never overwrites a file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from agentcfg.errors import UsageError
from agentcfg.project import STATE_DIR

MINIMAL = """\
# yaml-language-server: $schema=./agentcfg.schema.json
# agentcfg manifest: every artefact your agents run on, in one versioned place.
# Docs: https://github.com/agentcfg/agentcfg/tree/main/docs
format_version: 1
name: {name}
environments: [staging, production]

models:
  chat:
    provider: openai
    id: gpt-4o-2024-08-06
    parameters: {{temperature: 0.2}}

prompts:
  assistant:
    file: prompts/assistant.md
    variables: [user_name]

agents:
  assistant:
    model: chat
    prompt: assistant

policies:
  production:
    require_pinned_models: true
    require_approval_for: [destructive]
    max_risk: high
"""

PROMPT = "You are a helpful assistant. Address the user as {{user_name}}.\n"


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def examples() -> list[str]:
    base = resources.files("agentcfg") / "examples"
    return sorted(p.name for p in base.iterdir() if (p / "agentcfg.yaml").is_file()) if base.is_dir() else []


def init(directory: str | Path = ".", *, example: str | None = None) -> InitResult:
    """Create a project in ``directory``; existing files are kept and reported as skipped."""
    target = Path(directory)
    files: dict[str, bytes] = {}
    if example is not None:
        names = examples()
        if example not in names:
            raise UsageError(f"no bundled example '{example}'", hint=f"available: {', '.join(names) or 'none'}")
        root = resources.files("agentcfg") / "examples" / example
        _collect(root, "", files)
        _point_editors_at_local_schema(files)
    else:
        files["agentcfg.yaml"] = MINIMAL.format(name=target.resolve().name or "agents").encode()
        files["prompts/assistant.md"] = PROMPT.encode()
    _point_editors_at_local_schema(files)
    result = InitResult()
    for rel, data in sorted(files.items()):
        path = target / rel
        if path.exists() or path.is_symlink():
            result.skipped.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: even a file created between our check and this open is never overwritten.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        result.created.append(rel)
    _ignore_state_dir(target, result)
    return result


SCHEMA_FILE = "agentcfg.schema.json"
_SCHEMA_LINE = re.compile(rb"^# yaml-language-server: \$schema=\S+", re.M)


def _point_editors_at_local_schema(files: dict[str, bytes]) -> None:
    """Ship the JSON Schema beside the manifest so editors check it offline.

    The bundled example points at the repository's schemas/ folder, which a copied project does
    not have; the copy points at its own `agentcfg.schema.json` (`agentcfg schema` refreshes it).
    """
    import json

    from agentcfg.manifest.model import json_schema

    manifest = files.get("agentcfg.yaml")
    if manifest is None:
        return
    files["agentcfg.yaml"] = _SCHEMA_LINE.sub(
        b"# yaml-language-server: $schema=./" + SCHEMA_FILE.encode(), manifest, count=1)
    files[SCHEMA_FILE] = (json.dumps(json_schema(), indent=2, sort_keys=True) + "\n").encode()


def _collect(node, prefix: str, files: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    for child in node.iterdir():
        rel = f"{prefix}{child.name}"
        # `.agentcfg/` appears in the bundled example whenever someone validates it in place
        # (parse cache); it is machine state of that checkout, never part of the example.
        if child.name in ("__pycache__", STATE_DIR) or child.name.endswith(".pyc"):
            continue
        if child.is_dir():
            _collect(child, rel + "/", files)
        else:
            files[rel] = child.read_bytes()


def _ignore_state_dir(target: Path, result: InitResult) -> None:
    """Append `.agentcfg/` to .gitignore (caches and the writer mutex are never committed)."""
    gi = target / ".gitignore"
    line = f"{STATE_DIR}/"
    existing = gi.read_text(encoding="utf-8") if gi.exists() else ""
    if line in existing.splitlines():
        return
    with open(gi, "a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write(line + "\n")
    if not existing:
        result.created.append(".gitignore")
