"""Load a manifest from a tree: parse, apply the overlay, inline `file:` references, type-check.

Loading never stops at the first problem: every artefact is type-checked on its own, the valid
ones make up :attr:`Loaded.manifest`, and every problem becomes a :class:`Finding` with the
file, line and artefact it concerns. Only "cannot even start" problems (no manifest) raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentcfg.errors import AgentcfgError, Finding, did_you_mean
from agentcfg.manifest.model import FILE_SECTIONS, OVERLAY_KEYS, Manifest
from agentcfg.manifest.typecheck import SameModel, typecheck
from agentcfg.manifest.sources import SourceMap, deep_merge
from agentcfg.names import MANIFEST_FILE, NAME_RE, OVERLAY_DIR, SECTIONS, artefact_id
from agentcfg.trees import Tree, check_relpath, read_if_present
from agentcfg.yamlio import Document, ParseCache, YamlError, load

ENV_NAME_HINT = "environment names use letters, digits, '-', '_' and '.'"


@dataclass
class Loaded:
    """A loaded manifest: the valid part as a model, plus everything found wrong."""

    tree: Tree
    env: str | None
    raw: dict[str, Any]
    sources: SourceMap
    manifest: Manifest | None
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # artefact id -> referenced file
    # Artefacts whose `file:` could not be read: reported once, not type-checked (no cascades).
    broken: set[str] = field(default_factory=set)
    # Artefact ids the environment's overlay writes (None: the base manifest, or a whole section
    # replaced). Every other artefact is exactly the base manifest's: same entry, same file.
    overlaid: frozenset[str] | None = None
    # Artefacts already checked in this identical form during this run (see `unchanged`):
    # checks that look at one artefact at a time skip them.
    settled: frozenset[str] = frozenset()

    def unchanged(self) -> frozenset[str]:
        """The artefact ids this environment shares, untouched, with the base manifest."""
        if self.overlaid is None:
            return frozenset()
        return frozenset(artefact_id(section, name) for section in (*SECTIONS, "policies")
                         if isinstance(self.raw.get(section), dict)
                         for name in self.raw[section] if artefact_id(section, name) not in self.overlaid)

    def finding(self, code: str, message: str, path: tuple[Any, ...], *, artefact: str | None = None,
                hint: str | None = None, severity: str = "error") -> Finding:
        loc = self.sources.location(path)
        f = Finding(code, message, loc.file, loc.line, loc.col, artefact, hint, severity)
        self.findings.append(f)
        return f


def read_manifest_document(tree: Tree, cache: ParseCache | None = None) -> Document:
    data = read_if_present(tree, MANIFEST_FILE)
    if data is None:
        raise AgentcfgError(
            f"no {MANIFEST_FILE} in the {tree.label}",
            hint="run `agentcfg init` to create one, or use -C DIR to point at the project",
        )
    return load(data, MANIFEST_FILE, cache=cache)


def load_manifest(tree: Tree, *, env: str | None = None, cache: ParseCache | None = None,
                  base: Loaded | None = None, same_model: SameModel | None = None) -> Loaded:
    """Load ``agentcfg.yaml`` (and ``environments/<env>.yaml`` when ``env`` is given).

    ``base``: the base manifest loaded a moment ago from the same tree in this run. An
    environment then takes every artefact its overlay leaves alone from it (inlined file, type
    check, findings) instead of reading, parsing and checking it again: the result is the one a
    load without ``base`` gives. ``same_model``: the models of an earlier load of this run (of
    another tree: the other side of a diff), taken for identical entries instead of type-checking.
    """
    if base is not None and (env is None or base.env is not None or base.tree is not tree):
        base = None  # only an environment of the very same tree can share the base's work
    empty = Document(MANIFEST_FILE, {}, {(): (1, 1)})
    try:
        doc = base.sources.root if base is not None else read_manifest_document(tree, cache)
    except YamlError as exc:
        loaded = Loaded(tree, env, {}, SourceMap(empty), None)
        _yaml_finding(loaded, exc)
        return loaded
    loaded = Loaded(tree, env, {}, SourceMap(doc), None)
    if not isinstance(doc.data, dict):
        loaded.finding("not-a-mapping", "the manifest must be a YAML mapping (key: value)", ())
        return loaded
    raw: dict[str, Any] = dict(doc.data)
    if env is not None:
        loaded.overlaid = frozenset()
        raw = _apply_overlay(loaded, raw, env, cache)
    shared = FromBase.of(base, loaded)
    raw = _inline_files(loaded, raw, cache, shared)
    loaded.raw = raw
    loaded.manifest = typecheck(loaded, raw, shared, same_model)
    return loaded


@dataclass
class FromBase:
    """What an environment takes from the base manifest's load: the artefacts its overlay does
    not write are, by construction, the base's very entries (same manifest text, same file)."""

    base: Loaded
    ids: frozenset[str]

    @classmethod
    def of(cls, base: Loaded | None, loaded: Loaded) -> FromBase | None:
        if base is None or base.manifest is None or loaded.overlaid is None:
            return None  # no base, or an overlay replaced a whole section: load everything
        overlaid = loaded.overlaid
        ids = frozenset(aid for section in (*SECTIONS, "policies") if isinstance(base.raw.get(section), dict)
                        for name in base.raw[section]
                        if (aid := artefact_id(section, name)) not in overlaid)
        shared = cls(base, ids)
        loaded.findings.extend(f for f in base.findings if f.artefact in ids)
        loaded.broken.update(base.broken & ids)
        loaded.files.update({aid: rel for aid, rel in base.files.items() if aid in ids})
        loaded.sources.adopt(base.sources, [tuple(aid.split("/", 1)) for aid in ids])
        return shared

    def entry(self, section: str, name: str) -> tuple[bool, Any]:
        """(True, the base's inlined entry) when ``section/name`` is shared."""
        if artefact_id(section, name) not in self.ids:
            return False, None
        return True, self.base.raw[section][name]

    def model(self, section: str, name: str) -> tuple[bool, Any]:
        """(True, the base's type-checked model, or None when it had findings) when shared."""
        if artefact_id(section, name) not in self.ids:
            return False, None
        models = getattr(self.base.manifest, section, None) or {}
        return True, models.get(name)


def _yaml_finding(loaded: Loaded, exc: YamlError, artefact: str | None = None) -> None:
    loc = exc.location
    assert loc is not None
    loaded.findings.append(Finding(exc.code, exc.message, loc.file, loc.line, loc.col, artefact, exc.hint))
    if artefact:
        loaded.broken.add(artefact)


def _apply_overlay(loaded: Loaded, raw: dict[str, Any], env: str, cache: ParseCache | None) -> dict[str, Any]:
    if not NAME_RE.match(env):
        raise AgentcfgError(f"'{env}' is not a valid environment name", hint=ENV_NAME_HINT)
    declared = raw.get("environments")
    if isinstance(declared, list) and env not in declared:
        loaded.finding(
            "unknown-environment",
            f"environment '{env}' is not in `environments:` {declared}{did_you_mean(env, [str(d) for d in declared])}",
            ("environments",),
            hint="add it to `environments:` in agentcfg.yaml",
        )
    path = f"{OVERLAY_DIR}/{env}.yaml"
    data = read_if_present(loaded.tree, path)
    if data is None:
        return raw  # overlays are optional
    try:
        over = load(data, path, cache=cache)
    except YamlError as exc:
        _yaml_finding(loaded, exc, f"environments/{env}")
        return raw
    if over.data is None:
        return raw
    if not isinstance(over.data, dict):
        loc = over.location(())
        loaded.findings.append(Finding("not-a-mapping", "an overlay must be a YAML mapping",
                                       loc.file, loc.line, loc.col,
                                       f"environments/{env}"))
        return raw
    clean: dict[str, Any] = {}
    for key, value in over.data.items():
        if key not in OVERLAY_KEYS:
            loc = over.location((key,))
            loaded.findings.append(Finding(
                "overlay-key",
                f"an overlay may not set '{key}'{did_you_mean(key, OVERLAY_KEYS)}",
                loc.file, loc.line, loc.col, f"environments/{env}",
                hint=f"overlays may only touch: {', '.join(OVERLAY_KEYS)}",
            ))
            continue
        if key == "mcp_servers":
            value = _overlay_servers(loaded, raw.get("mcp_servers"), value, over, env)
        clean[key] = value
    loaded.overlaid = _written(clean)
    result = deep_merge(raw, clean, (), loaded.sources, over, ())
    assert isinstance(result, dict)
    return result


def _written(overlay: dict[str, Any]) -> frozenset[str] | None:
    """The artefact ids an overlay writes, read off its own keys; None when it replaces a whole
    section (then any artefact may differ from the base manifest)."""
    ids: set[str] = set()
    for key, value in overlay.items():
        if key not in SECTIONS and key != "policies":
            continue
        if not isinstance(value, dict):
            return None
        ids.update(artefact_id(key, name) for name in value)
    return frozenset(ids)


OVERLAY_SERVER_KEYS = ("url", "env", "headers")
"""What an overlay may change on a declared MCP server: where it is and which credentials it
gets. Its program (``command``) is reviewed once, in the manifest, for every environment."""


def _overlay_servers(loaded: Loaded, base: Any, value: Any, over: Document, env: str) -> Any:
    """The overlay's ``mcp_servers`` with refused entries left out, each refusal a finding."""
    if not isinstance(value, dict):
        return value  # type-checking reports it, at the overlay's line
    declared = base if isinstance(base, dict) else {}
    clean: dict[str, Any] = {}
    for name, entry in value.items():
        loc = over.location(("mcp_servers", name))
        if name not in declared or not isinstance(entry, dict):
            what = "add a server" if name not in declared else "remove or replace a server"
            loaded.findings.append(Finding(
                "overlay-key", f"an overlay may not {what} ('{name}'){did_you_mean(str(name), list(declared))}",
                loc.file, loc.line, loc.col, f"environments/{env}",
                hint="declare servers in agentcfg.yaml; an overlay may set their url, env and headers"))
            continue
        kept: dict[str, Any] = {}
        for key, sub in entry.items():
            if key in OVERLAY_SERVER_KEYS:
                kept[key] = sub
                continue
            at = over.location(("mcp_servers", name, key))
            loaded.findings.append(Finding(
                "overlay-key", f"an overlay may not set '{key}' of mcp_servers/{name}",
                at.file, at.line, at.col, f"environments/{env}",
                hint="an overlay may set a server's url, env and headers; its command is the same everywhere"))
        clean[name] = kept
    return clean


def _inline_files(loaded: Loaded, raw: dict[str, Any], cache: ParseCache | None,
                  shared: FromBase | None = None) -> dict[str, Any]:
    out = dict(raw)
    for section in FILE_SECTIONS:
        entries = raw.get(section)
        if not isinstance(entries, dict):
            continue
        new_entries = dict(entries)
        for name, entry in entries.items():
            if shared is not None:
                hit, inlined = shared.entry(section, name)
                if hit:
                    new_entries[name] = inlined
                    continue
            if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                new_entries[name] = _inline_one(loaded, section, name, entry, cache)
        out[section] = new_entries
    return out


def _inline_one(loaded: Loaded, section: str, name: str, entry: dict[str, Any],
                cache: ParseCache | None) -> dict[str, Any]:
    aid = artefact_id(section, name)
    rel = entry["file"]
    where = (section, name, "file")
    why = check_relpath(rel)
    # `where` answers as `resolve` does, with the real path as a string (no Path object per file)
    resolve = getattr(loaded.tree, "where", None) or getattr(loaded.tree, "resolve", None)
    if why is None and resolve is not None:
        _, why = resolve(rel)
    data = loaded.tree.read(rel) if why is None else None
    if data is None:
        why = why or "no such file (or not a regular file)"
        code = "file-outside-repo" if "leave" in why or "outside" in why or "absolute" in why else "file-not-found"
        loaded.finding(code, f"file '{rel}': {why}", where, artefact=aid,
                       hint="paths are relative to the manifest's folder and must stay inside the repository")
        loaded.broken.add(aid)
        return entry
    loaded.files[aid] = rel
    if section == "prompts":
        from agentcfg.yamlio import decode

        try:
            text = decode(data, rel)
        except YamlError as exc:
            _yaml_finding(loaded, exc, aid)
            return entry
        doc = Document(rel, text, {(): (1, 1)})
        loaded.sources.mount((section, name, "template"), doc)
        if "template" in entry:
            loaded.finding("prompt-source", "give either 'file' or 'template', not both", where, artefact=aid)
        return {**entry, "template": text}
    try:
        sub = load(data, rel, cache=cache)
    except YamlError as exc:
        _yaml_finding(loaded, exc, aid)
        return entry
    if not isinstance(sub.data, dict):
        loc = sub.location(())
        loaded.findings.append(Finding("not-a-mapping", f"'{rel}' must hold a YAML/JSON mapping", loc.file, loc.line,
                                       loc.col, aid))
        return entry
    # The file is the base; keys written in the manifest entry (e.g. `approval`) win.
    for key in sub.data:
        if key not in entry:
            loaded.sources.mount((section, name, key), sub, (key,))
    if "file" in sub.data:
        loaded.finding("nested-file", "a referenced file may not itself use 'file'", where, artefact=aid)
    return {**sub.data, **entry}
