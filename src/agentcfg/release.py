"""Release files (`releases/<env>.json`): an environment's deployed state.

A release file is the whole rendered config plus who/why metadata; its `digest` must equal the
digest of its `config`. It is written deterministically and atomically, and read back with
:func:`parse_release`, which never trusts the digest it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.canonical import NotCanonical, atomic_write, digest_value, load_json, pretty_json
from agentcfg.errors import AgentcfgError, CheckFailed, Location

RELEASE_FORMAT = 2
"""2: the digest is sha256 over the config's RFC 8785 (JCS) bytes. 1: over Python's compact sorted
``json.dumps`` (read only to list history and to restore an old release in a rollback)."""
LEGACY_RELEASE_FORMAT = 1
REPROMOTE_HINT = ("it was written by an older agentcfg (release format 1, digests over Python's JSON); "
                  "re-promote it (`agentcfg promote SRC ENV`) so it carries an RFC 8785 digest, or "
                  "`agentcfg rollback ENV` to restore it (a rollback re-identifies an old release)")
RELEASES_DIR = "releases"
KEYS = ("format_version", "environment", "digest", "source", "action", "from", "reason", "hold", "config")


def release_path(env: str) -> str:
    """The release file of ``env``, relative to the manifest folder."""
    return f"{RELEASES_DIR}/{env}.json"


@dataclass(frozen=True)
class ReleaseFile:
    environment: str
    digest: str
    source: str | None  # the commit the config was rendered from
    action: str  # "promote" | "rollback"
    from_: str | None  # env or rev promoted from; for a rollback, the release index/digest restored
    reason: str | None
    hold: bool
    config: dict[str, Any]
    format_version: int = RELEASE_FORMAT

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "environment": self.environment,
            "digest": self.digest,
            "source": self.source,
            "action": self.action,
            "from": self.from_,
            "reason": self.reason,
            "hold": self.hold,
            "config": self.config,
        }

    def dumps(self) -> str:
        # The config is a rendered one (its digest was computed) or read back strictly: plain data.
        return pretty_json(self.to_dict(), plain=True)

    def dumps_reusing(self, source_text: str, source: "ReleaseFile") -> str:
        """:meth:`dumps`, with the `config` copied as text from the file ``source`` was read from.

        A rollback restores an old config byte for byte; copying its text spares
        re-serialising ~3 MB of JSON during an incident. The copy is taken only when
        ``source_text`` is exactly the canonical layout of ``source``'s other keys around its
        config, which proves the copied span is that config's JSON; otherwise :meth:`dumps`.
        """
        if self.config is not source.config:
            return self.dumps()
        mine = _around_config(self)
        theirs = _around_config(source)
        if mine is None or theirs is None:
            return self.dumps()
        (head, tail), (old_head, old_tail) = mine, theirs
        if (len(source_text) < len(old_head) + len(old_tail) or not source_text.startswith(old_head)
                or not source_text.endswith(old_tail)):
            return self.dumps()
        return head + source_text[len(old_head):len(source_text) - len(old_tail)] + tail

    def write(self, path: Path) -> None:
        atomic_write(path, self.dumps())


_CONFIG_SLOT = "@@agentcfg:config@@"


def _around_config(release: ReleaseFile) -> tuple[str, str] | None:
    """The canonical text of ``release`` before and after its config's value, or None."""
    text = pretty_json({**release.to_dict(), "config": _CONFIG_SLOT}, plain=True)
    parts = text.split(f'"{_CONFIG_SLOT}"')
    return (parts[0], parts[1]) if len(parts) == 2 else None


class OldReleaseFormat(AgentcfgError):
    """A release written by an older agentcfg, read where only the current format will do."""


def parse_release(data: bytes, origin: str, *, verify: bool = True, legacy: bool = False) -> ReleaseFile:
    """Parse release-file bytes; with ``verify``, refuse one whose config does not match its digest.

    A format 1 release (digest over Python's JSON) is refused with :class:`OldReleaseFormat`
    unless ``legacy``: history, show and rollback read the past as it was written, checked
    against its own digest with the algorithm it was written with.
    """
    obj = load_json(data, origin, "release file",
                    "restore it from git (`git checkout -- FILE`) or roll back")
    if not isinstance(obj, dict) or not isinstance(obj.get("config"), dict) or not isinstance(obj.get("digest"), str):
        raise AgentcfgError("not an agentcfg release file (needs `digest` and `config`)", location=Location(origin))
    version = obj.get("format_version")
    if version == LEGACY_RELEASE_FORMAT and not legacy:
        raise OldReleaseFormat("release file format_version 1 is no longer loaded", location=Location(origin),
                               hint=REPROMOTE_HINT)
    if type(version) is not int or version not in (RELEASE_FORMAT, LEGACY_RELEASE_FORMAT):
        raise AgentcfgError(f"unsupported release format_version {version!r}",
                            location=Location(origin), hint="upgrade agentcfg")
    # The metadata is printed, compared and written into commit messages: a hand-edited file
    # with `"source": 5` must be refused here, not crash whatever reads it next.
    for key, kinds in _FIELD_TYPES.items():
        if key in obj and not isinstance(obj[key], kinds):
            raise AgentcfgError(f"release file field `{key}` must be {_FIELD_WORDS[key]}, "
                                f"not {type(obj[key]).__name__}", location=Location(origin),
                                hint="the file was edited by hand or corrupted; restore it from git or roll back")
    rel = ReleaseFile(
        environment=str(obj.get("environment", "")),
        digest=obj["digest"],
        source=obj.get("source"),
        action=str(obj.get("action", "")),
        from_=obj.get("from"),
        reason=obj.get("reason"),
        hold=bool(obj.get("hold", False)),
        config=obj["config"],
        format_version=version,
    )
    if verify:
        actual = config_digest(rel.config, origin, version)
        if actual != rel.digest:
            raise CheckFailed(
                f"release file does not match its digest: it says {rel.digest}, its config hashes to {actual}",
                location=Location(origin),
                artefact=f"environments/{rel.environment}" if rel.environment else None,
                hint="the file was edited or corrupted; restore it from git (`git checkout -- FILE`) or roll back",
            )
    return rel


def config_digest(config: dict[str, Any], origin: str, version: int = RELEASE_FORMAT) -> str:
    """The root digest of a release's config under release format ``version``.

    A config JCS cannot carry (an integer beyond 2^53, typed into the file by hand) is a
    failed check naming the file, not a crash."""
    if version == LEGACY_RELEASE_FORMAT:
        from agentcfg.canonical import digest_bytes, legacy_canonical_json

        return digest_bytes(legacy_canonical_json(config).encode("utf-8"))
    try:
        return digest_value(config, plain=True)  # read by load_json: plain data, finite numbers
    except NotCanonical as exc:
        raise CheckFailed(f"release config cannot be canonicalised: {exc}", location=Location(origin),
                          hint="the file was edited by hand or corrupted; restore it from git or roll back") from None


def current_digest(release: ReleaseFile, origin: str) -> str:
    """``release``'s digest under the current format: its own, or recomputed for a format 1 file."""
    if release.format_version == RELEASE_FORMAT:
        return release.digest
    return config_digest(release.config, origin)


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "environment": (str,), "action": (str,), "source": (str, type(None)), "from": (str, type(None)),
    "reason": (str, type(None)), "hold": (bool,),
}
_FIELD_WORDS = {"environment": "a string", "action": "a string", "source": "a string or null",
                "from": "a string or null", "reason": "a string or null", "hold": "true or false"}


def read_release(path: Path, origin: str | None = None, *, verify: bool = True,
                 legacy: bool = False) -> ReleaseFile | None:
    """The release at ``path``, or None if there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AgentcfgError(f"cannot read {origin or path}: {exc.strerror}") from None
    return parse_release(data, origin or str(path), verify=verify, legacy=legacy)
