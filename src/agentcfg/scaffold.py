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
    """Ship the JSON Schemas beside the manifest so editors check it, its overlays and its tool
    files offline.

    The bundled example points at the repository's schemas/ folder, which a copied project does
    not have; the copy points at its own `agentcfg.schema.json`, `agentcfg.overlay.schema.json`
    and `agentcfg.tool.schema.json` (`agentcfg schema --of KIND` refreshes them). Overlays and
    tool files get the line even when the example's copy lacks it.
    """
    import json

    from agentcfg.manifest.editor_schemas import LOCAL_FILES, schema_of

    if "agentcfg.yaml" not in files:
        return
    for rel in sorted(files):
        kind = _kind_of(rel)
        if kind is not None:
            files[rel] = with_modeline(files[rel], modeline_target(rel, LOCAL_FILES[kind]))
    for kind, name in LOCAL_FILES.items():
        files[name] = (json.dumps(schema_of(kind), indent=2, sort_keys=True) + "\n").encode()


def _kind_of(rel: str) -> str | None:
    if rel == "agentcfg.yaml":
        return "manifest"
    if rel.endswith((".yaml", ".yml")) and "/" in rel:
        folder = rel.split("/", 1)[0]
        return {"environments": "overlay", "tools": "tool"}.get(folder)
    return None


def modeline_target(rel: str, schema_name: str) -> str:
    """The path from the folder of ``rel`` (relative to the project) to the project's ``schema_name``."""
    depth = rel.count("/")
    return ("./" if depth == 0 else "../" * depth) + schema_name


def with_modeline(data: bytes, target: str) -> bytes:
    """``data`` whose first line points the YAML language server at ``target`` (replacing one there)."""
    line = b"# yaml-language-server: $schema=" + target.encode()
    if _SCHEMA_LINE.search(data):
        return _SCHEMA_LINE.sub(line, data, count=1)
    return line + b"\n" + data


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
