"""`agentcfg import tools --server NAME`: snapshot the tools a declared MCP server serves.

Each tool is written exactly as served (read by the same MCP importer as a tools/list file,
with the same oddity report) plus ``server: NAME``, so `check servers` and `verify_server` know
where to compare it. The server entry is read from the working tree's manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentcfg.errors import AgentcfgError, InvalidConfig, UsageError, did_you_mean
from agentcfg.toolformats.files import ImportReport, write_imported
from agentcfg.toolformats.importing import ImportIssue


def server_entry(root: str | Path, server: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the server's entry as rendered, the manifest's tools) from the working tree's manifest."""
    from agentcfg.manifest.loader import load_manifest
    from agentcfg.project import Project
    from agentcfg.rendering import normalise
    from agentcfg.trees import WorkTree

    project = Project.find(Path(root))
    loaded = load_manifest(WorkTree(project.root))
    manifest = loaded.manifest
    servers = manifest.mcp_servers if manifest is not None else {}
    if server not in servers:
        broken = [f for f in loaded.findings if f.artefact == f"mcp_servers/{server}" and f.severity == "error"]
        if broken:
            raise InvalidConfig(broken)
        raise UsageError(f"no MCP server '{server}' in agentcfg.yaml{did_you_mean(server, list(servers))}",
                         hint="declare it under `mcp_servers:` (a command argv or a url), see docs/manifest.md")
    tools = {name: normalise("tools", t) for name, t in (manifest.tools.items() if manifest else ())}
    return normalise("mcp_servers", servers[server]), tools


def import_server_tools(server: str, *, root: str | Path = ".", into: str | Path | None = None,
                        force: bool = False, dry_run: bool = False, timeout: float | None = None,
                        environ: Mapping[str, str] | None = None, add: bool = False) -> ImportReport:
    """List every tool ``server`` serves and write ``<into>/<name>.yaml`` for each (default
    ``into``: ``tools/<server>``). Raises ServerUnreachable (exit 2) when the server cannot be
    reached; existing files are never overwritten without ``force``."""
    from agentcfg.mcpio import DEFAULT_TIMEOUT, list_server_tools
    from agentcfg.project import Project
    from agentcfg.toolformats.importing import import_tools

    entry, declared = server_entry(root, server)
    project_root = Project.find(Path(root)).root
    listed = list_server_tools(server, entry, timeout=timeout or DEFAULT_TIMEOUT, environ=environ, cwd=project_root)
    if not listed.tools:
        raise AgentcfgError(f"MCP server '{server}' serves no tools", artefact=f"mcp_servers/{server}")
    result = import_tools({"tools": listed.tools}, "mcp")
    for name, tool in result.tools.items():
        tool["server"] = server
        other = declared.get(name, {}).get("server")
        if name in declared and other != server:
            where = f"served by '{other}'" if other else "not served by an MCP server"
            result.issues.append(ImportIssue(
                f"tools/{name}", "name-taken",
                f"agentcfg.yaml already declares a tool '{name}' ({where}); tool names are unique across servers, "
                "so rename one before adding it"))
    folder = into if into is not None else project_root / "tools" / server
    return write_imported(result, f"MCP server '{server}'", into=folder, force=force, dry_run=dry_run, root=root,
                          add=add)
