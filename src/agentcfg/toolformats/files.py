"""`agentcfg import tools`: read a provider's tool file, write one agentcfg tool file per tool.

Nothing is written unless every target file is free (or ``force`` is given), so an import never
leaves half of its files behind; each file is written atomically. The manifest is edited only
with ``add`` (`--add`): the entries are inserted into `tools:` keeping every comment and the
file's layout (:mod:`agentcfg.yamlio.edit`), and a name already there refuses the whole import
before anything is written. Without it the report carries the snippet to paste.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError
from agentcfg.toolformats.importing import ImportResult, import_tools


@dataclass
class ImportReport:
    """What ``import_tool_file`` did: the import itself, and the files it wrote (or would write)."""

    result: ImportResult
    files: dict[str, str] = field(default_factory=dict)  # tool name -> path, relative to the project
    written: bool = False
    snippet: str = ""
    added: bool = False  # the entries were inserted into agentcfg.yaml (--add)

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": 1, **self.result.to_dict(), "files": self.files, "written": self.written,
                "snippet": self.snippet, "added": self.added}


def import_tool_file(path: str | Path, fmt: str, *, into: str | Path = "tools", force: bool = False,
                     dry_run: bool = False, root: str | Path = ".", add: bool = False) -> ImportReport:
    """Import the tools in ``path`` (JSON or YAML) and write ``<into>/<name>.yaml`` for each.

    ``into`` is relative to ``root`` unless absolute. Existing files are never overwritten
    unless ``force``; with ``dry_run`` nothing is written. Paths in the report and the manifest
    snippet are relative to the project (the folder holding ``agentcfg.yaml``).
    """
    from agentcfg.yamlio import load

    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise AgentcfgError(f"cannot read {path}: {exc.strerror or exc}") from None
    result = import_tools(load(data, str(path)).data, fmt)
    return write_imported(result, source.name, into=into, force=force, dry_run=dry_run, root=root, add=add)


def write_imported(result: ImportResult, source_name: str, *, into: str | Path = "tools", force: bool = False,
                   dry_run: bool = False, root: str | Path = ".", add: bool = False) -> ImportReport:
    """Write ``<into>/<name>.yaml`` for each imported tool (all or nothing; see the module doc)."""
    from agentcfg.canonical import atomic_write
    from agentcfg.project import Project

    base = Path(root)
    folder = Path(into) if Path(into).is_absolute() else base / into
    if folder.exists() and not folder.is_dir():
        raise AgentcfgError(f"--into {into}: not a folder")
    project_root = Project.find(base).root
    report = ImportReport(result)
    targets = {name: folder / f"{name}.yaml" for name in result.tools}
    for name, target in targets.items():
        report.files[name] = _display(target, project_root)
    existing = [report.files[n] for n, t in targets.items() if t.exists() or t.is_symlink()]
    if existing and not force:
        raise AgentcfgError(
            f"{len(existing)} file(s) already exist: {', '.join(existing)}",
            hint="nothing was written; use --force to overwrite them, or --into another folder",
        )
    report.snippet = _snippet(report.files)
    manifest = None
    if add and targets:
        from agentcfg.yamlio.edit import add_entries

        path = project_root / "agentcfg.yaml"
        entries = {name: {"file": rel} for name, rel in report.files.items()}  # the snippet, exactly
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AgentcfgError(f"cannot read {path.name}: {exc}", hint="nothing was written") from None
        manifest = (path, add_entries(text, path.name, "tools", entries))  # refuses taken names first
    if dry_run or not targets:
        return report
    schema = _editor_schema(project_root)
    for name, target in targets.items():
        text = tool_file_text(result, name, source_name)
        if schema is not None and not report.files[name].startswith("../"):
            from agentcfg.scaffold import modeline_target, with_modeline

            text = with_modeline(text.encode("utf-8"), modeline_target(report.files[name], schema)).decode("utf-8")
        atomic_write(target, text)
    if manifest is not None:
        atomic_write(*manifest)
        report.added = True
    report.written = True
    return report


def _editor_schema(project_root: Path) -> str | None:
    """The tool files' JSON Schema beside the manifest (written once, never overwritten), for the
    `yaml-language-server` line each imported file starts with; None when it cannot be written."""
    import json

    from agentcfg.canonical import atomic_write
    from agentcfg.manifest.editor_schemas import LOCAL_FILES, schema_of

    name = LOCAL_FILES["tool"]
    path = project_root / name
    if not path.exists():
        try:
            atomic_write(path, json.dumps(schema_of("tool"), indent=2, sort_keys=True) + "\n")
        except OSError:
            return None
    return name


def tool_file_text(result: ImportResult, name: str, source_name: str) -> str:
    """One tool's YAML file, headed by comments saying where it came from and what was changed."""
    from agentcfg.secrets import redact_text
    from agentcfg.yamlio import dump_yaml

    tool = result.tools[name]
    lines = [f"# Imported by `agentcfg import tools` from {source_name} ({result.format} format)."]
    server = tool.get("server")
    if isinstance(server, str):
        lines.append(f"# Served by MCP server '{server}': `agentcfg check servers` compares it with what the server serves.")
    if name in result.renamed:
        lines.append(f"# Original name: {result.renamed[name]}")
    changes = [i for i in result.issues if i.tool == f"tools/{name}"]
    if changes:
        lines.append("# Changed on import (review these):")
        lines += [f"#   - {redact_text(i.message)} [{i.code}]".replace("\n", " ") for i in changes]
    if "annotations" not in tool:
        lines.append("# No annotations: MCP then assumes the tool writes, may destroy data and reaches the")
        lines.append("# outside world. Add readOnlyHint/destructiveHint/openWorldHint if that is wrong.")
    return "\n".join(lines) + "\n" + dump_yaml(tool)


def _display(target: Path, project_root: Path) -> str:
    # realpath of the folder (not the file: an existing symlink is reported as itself).
    rel = os.path.relpath(Path(os.path.realpath(target.parent)) / target.name, project_root)
    return Path(rel).as_posix()


def _snippet(files: dict[str, str]) -> str:
    if not files:
        return ""
    lines = ["tools:"]
    for name, rel in files.items():
        lines += [f"  {name}:", f"    file: {rel}"]
    return "\n".join(lines) + "\n"
