"""Render: a manifest (plus overlay) and its resolutions → the config an environment runs.

The rendered config is what a release file carries and what the root digest identifies:
prompts and tool definitions inline, data and code by digest/commit, ``${env:NAME}``
references left as references. It is a pure function of the loaded manifest and a
:class:`Resolver`, so rendering the working tree, a commit, or a lock gives the same bytes for
the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from agentcfg.canonical import digest_value, normalise_newlines
from agentcfg.errors import InvalidConfig
from agentcfg.names import OPTIONAL_SECTIONS, SECTIONS, artefact_id

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


RESOLVED_SECTIONS = ("code", "data")
"""Sections whose entries a :class:`Resolver` completes; every other part of a config is static."""


@dataclass
class Prepared:
    """A config rendered up to resolution: everything but data content and code commits.

    The static part is kept as canonical JSON text per top-level key, so a root digest is one
    join and one sha256 once data and code are resolved: `lock` keeps this between runs
    (agentcfg.warm.prepared) and re-locks changed data without re-rendering 4,000 artefacts.
    """

    environment: str | None
    static: dict[str, str]  # top-level key -> canonical JSON of its value (all keys but code/data)
    pending: dict[str, dict[str, dict[str, Any]]]  # "code"/"data" -> name -> normalised entry
    digests: dict[str, str]  # artefact id -> digest, for artefacts of the static sections
    models: dict[str, dict[str, Any]]  # the models section (lock entries name provider and id)
    policies: dict[str, str]  # environment -> digest of its policy
    environments: list[str] = field(default_factory=list)  # the manifest's promotion path


@dataclass
class Completed:
    """A prepared config with data and code resolved: its root digest and every artefact's."""

    digest: str
    artefacts: dict[str, str]
    resolved: dict[str, dict[str, dict[str, Any]]]  # "code"/"data" -> name -> resolved entry


class EntryView:
    """A normalised code or data entry read the way a :class:`Resolver` reads its model.

    Resolvers only read attributes (``ref.repo``, ``ds.path``), and a normalised entry is the
    model's dump without its unset keys, so a missing key reads as None, its default. This spares
    rebuilding pydantic models (and importing pydantic) when `lock` reuses a prepared config.
    """

    __slots__ = ("_item",)

    def __init__(self, item: dict[str, Any]) -> None:
        self._item = item

    def __getattr__(self, name: str) -> Any:
        return self._item.get(name)


class Encodings:
    """Artefacts normalised and encoded during one command, by the identity of their model.

    The renders of one command often hold the very same type-checked model: an environment
    shares the base manifest's untouched artefacts, the second side of a diff the first side's
    identical ones (see ``load_manifest``). A model's canonical form is a function of the model
    alone, so it is computed once. Memory only, for one command: nothing outlives it.
    """

    def __init__(self) -> None:
        self._by_model: dict[int, tuple[Any, dict[str, Any], bytes | None, str | None]] = {}

    def get(self, model: Any) -> tuple[dict[str, Any], bytes | None, str | None] | None:
        hit = self._by_model.get(id(model))
        if hit is None or hit[0] is not model:  # the model it was made from is kept alive: ids stay unique
            return None
        return hit[1], hit[2], hit[3]

    def put(self, model: Any, item: dict[str, Any], data: bytes | None, digest: str | None) -> None:
        self._by_model[id(model)] = (model, item, data, digest)


def prepare(manifest: Manifest, *, environment: str | None = None,
            encodings: Encodings | None = None) -> tuple[Prepared, dict[str, Any]]:
    """(the prepared config, the static config itself as data) of a type-checked manifest.

    ``encodings``: what this command's other renders encoded already (readers never change an
    item: a shared one is the same object in both configs).
    """
    from agentcfg.canonical import canonical_bytes, canonical_json, canonical_object, digest_bytes

    config: dict[str, Any] = {"format_version": CONFIG_FORMAT, "name": manifest.name}
    digests: dict[str, str] = {}
    pending: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in RESOLVED_SECTIONS}
    # Each artefact is encoded once: its bytes make its digest and, joined, its section's text.
    sections: dict[str, str] = {}
    for section in SECTIONS:
        entries: dict[str, Any] = getattr(manifest, section)
        out: dict[str, Any] = {}
        encoded: dict[str, bytes] = {}
        resolved = section in RESOLVED_SECTIONS
        for name in sorted(entries):
            model = entries[name]
            hit = encodings.get(model) if encodings is not None else None
            if hit is not None:
                item, data, digest = hit
            else:
                item = normalise(section, model)
                # A model's JSON dump of parsed data (yamlio refuses NaN and infinities): plain.
                data = None if resolved else canonical_bytes(item, plain=True)
                digest = None if data is None else digest_bytes(data)
                if encodings is not None:
                    encodings.put(model, item, data, digest)
            if resolved:
                pending[section][name] = item
            else:
                assert data is not None and digest is not None
                encoded[name] = data
                digests[artefact_id(section, name)] = digest
                out[name] = item
        if out or section not in OPTIONAL_SECTIONS:
            config[section] = out
            if section not in RESOLVED_SECTIONS:
                sections[section] = canonical_object(encoded).decode("utf-8")
    config["policies"] = {env: p.model_dump(mode="json", exclude_none=True)
                          for env, p in sorted(manifest.policies.items())}
    static = {k: sections[k] if k in sections else canonical_json(v)
              for k, v in config.items() if k not in RESOLVED_SECTIONS}
    policies = {env: digest_value(p) for env, p in config["policies"].items()}
    prepared = Prepared(environment, static, pending, digests, dict(config["models"]), policies,
                        list(manifest.environments))
    return prepared, config


def complete(prepared: Prepared, resolver: Resolver) -> Completed:
    """Resolve the pending entries through ``resolver`` and compute every digest."""
    from agentcfg.canonical import canonical_json, digest_bytes

    artefacts = dict(prepared.digests)
    resolved: dict[str, dict[str, dict[str, Any]]] = {}
    for section in RESOLVED_SECTIONS:
        out: dict[str, dict[str, Any]] = {}
        for name, item in prepared.pending[section].items():
            if section == "code":
                done = {**item, **resolver.code(name, cast("CodeRef", EntryView(item)))}
                artefacts[artefact_id(section, name)] = digest_value(done)
            else:
                done = {**item, **resolver.data(name, cast("DataSet", EntryView(item)))}
                artefacts[artefact_id(section, name)] = done["digest"]
            out[name] = done
        resolved[section] = out
    # canonical_json(config) == "{" + sorted "key":value pairs + "}" (the top-level keys are ASCII,
    # so code point and UTF-16 order agree): the static values are joined as the text they
    # already are, only code and data are encoded here.
    parts = {**prepared.static, **{s: canonical_json(resolved[s]) for s in RESOLVED_SECTIONS}}
    text = "{" + ",".join(f"{canonical_json(k)}:{parts[k]}" for k in sorted(parts)) + "}"
    return Completed(digest_bytes(text.encode("utf-8")), artefacts, resolved)


def render_manifest(manifest: Manifest, resolver: Resolver, *, environment: str | None = None,
                    encodings: Encodings | None = None) -> Rendered:
    """Render a type-checked manifest. Data and code are resolved through ``resolver``."""
    prepared, config = prepare(manifest, environment=environment, encodings=encodings)
    done = complete(prepared, resolver)
    config.update(done.resolved)
    return Rendered(environment, config, done.digest, done.artefacts)


def render_loaded(loaded: Loaded, resolver: Resolver, encodings: Encodings | None = None) -> Rendered:
    """Render a loaded manifest, refusing (exit 1) when it has errors."""
    from agentcfg import checks

    checks.run_all(loaded)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors or loaded.manifest is None:
        raise InvalidConfig(errors)
    return render_manifest(loaded.manifest, resolver, environment=loaded.env, encodings=encodings)
