"""Render: a manifest (plus overlay) and its resolutions → the config an environment runs.

The rendered config is what a release file carries and what the root digest identifies:
prompts and tool definitions inline, data and code by digest/commit, ``${env:NAME}``
references left as references. It is a pure function of the loaded manifest and a
:class:`Resolver`, so rendering the working tree, a commit, or a lock gives the same bytes for
the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from agentcfg.canonical import digest_value, normalise_newlines
from agentcfg.errors import InvalidConfig
from agentcfg.names import SECTIONS, artefact_id

if TYPE_CHECKING:  # the models pull in pydantic: a cached render must not pay for them
    from agentcfg.artefacts.code import CodeRef
    from agentcfg.artefacts.data import DataSet
    from agentcfg.manifest.loader import Loaded
    from agentcfg.manifest.model import Manifest

CONFIG_FORMAT = 1


class Resolver(Protocol):
    """Pins what the manifest only names: data content and code commits."""

    def code(self, name: str, ref: CodeRef) -> dict[str, Any]:
        """At least ``{"commit": sha}`` (plus ``"tree"`` when ``path`` is given)."""

    def data(self, name: str, ds: DataSet) -> dict[str, Any]:
        """At least ``{"digest": "sha256:…", "size": int, "files": int}``."""


@dataclass
class Rendered:
    """A rendered config, its root digest, and each artefact's digest."""

    environment: str | None
    config: dict[str, Any]
    digest: str
    artefacts: dict[str, str] = field(default_factory=dict)  # artefact id -> digest


def normalise(section: str, model: Any) -> dict[str, Any]:
    """The canonical form of one artefact: defaults filled in, `file` dropped, text normalised."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("file", None)
    if section == "prompts" and "template" in data:
        data["template"] = normalise_newlines(data["template"])
    return data


def render_manifest(manifest: Manifest, resolver: Resolver, *, environment: str | None = None) -> Rendered:
    """Render a type-checked manifest. Data and code are resolved through ``resolver``."""
    config: dict[str, Any] = {"format_version": CONFIG_FORMAT, "name": manifest.name}
    artefacts: dict[str, str] = {}
    for section in SECTIONS:
        entries: dict[str, Any] = getattr(manifest, section)
        out: dict[str, Any] = {}
        for name in sorted(entries):
            item = normalise(section, entries[name])
            if section == "code":
                item.update(resolver.code(name, entries[name]))
            elif section == "data":
                item.update(resolver.data(name, entries[name]))
            out[name] = item
            artefacts[artefact_id(section, name)] = item["digest"] if section == "data" else digest_value(item)
        config[section] = out
    config["policies"] = {env: p.model_dump(mode="json", exclude_none=True) for env, p in sorted(manifest.policies.items())}
    return Rendered(environment, config, digest_value(config), artefacts)


def render_loaded(loaded: Loaded, resolver: Resolver) -> Rendered:
    """Render a loaded manifest, refusing (exit 1) when it has errors."""
    from agentcfg import checks

    checks.run_all(loaded)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors or loaded.manifest is None:
        raise InvalidConfig(errors)
    return render_manifest(loaded.manifest, resolver, environment=loaded.env)
