"""What agentcfg knows of the release files it wrote, by the sha256 of their bytes.

A rollback needs two things of the *current* release: its digest (which earlier release counts
as different) and whether its data, memory, models and orchestration equal the restored
release's (where a change cannot be undone by config: the warnings). Parsing a ~3 MB release
file for that costs ~35 ms of an incident's 400 ms. So whenever agentcfg writes a
release it records both here, keyed by the sha256 of the bytes it wrote, in
``.agentcfg/cache/releases.json``; a rollback hashes the file on disk (~2 ms) and parses it only
when those bytes are unknown (a hand edit, another branch, a fresh clone).

Trust: like the stat cache, this is agentcfg's own record under ``.agentcfg/``. An edited entry
can change which earlier release counts as "different" and which warnings are printed; it can
never restore anything unverified (the release being restored is always parsed and checked
against its digest).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from agentcfg.canonical import canonical_json

CACHE_FORMAT = 1
KEEP = 16  # releases remembered: a few per environment is plenty

# Where the diff engine marks a change irreversible (memory embedder/dims/schema, embedding
# models, data migrations, graph state schema).
IRREVERSIBLE_SECTIONS = ("data", "memory", "models", "orchestration")


def sections(config: dict[str, Any]) -> dict[str, Any]:
    """The config's irreversible sections."""
    return {k: v for k, v in config.items() if k in IRREVERSIBLE_SECTIONS}


def sections_key(config: dict[str, Any]) -> str:
    """One hash of the config's irreversible sections: equal keys, equal sections."""
    return hashlib.sha256(canonical_json(sections(config)).encode("utf-8")).hexdigest()


def _file(state_dir: Path) -> Path:
    return state_dir / "cache" / "releases.json"


def _load(state_dir: Path) -> dict[str, list[str]]:
    from agentcfg import __version__

    try:
        blob = json.loads(_file(state_dir).read_bytes())
        if blob["format_version"] != CACHE_FORMAT or blob["agentcfg"] != __version__:
            return {}
        entries = blob["entries"]
        return {k: v for k, v in entries.items()
                if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def recall(state_dir: Path, data: bytes) -> tuple[str, str] | None:
    """(digest, sections key) of release-file bytes agentcfg wrote, or None."""
    hit = _load(state_dir).get(hashlib.sha256(data).hexdigest())
    return (hit[0], hit[1]) if hit else None


def remember(state_dir: Path, data: bytes, digest: str, config: dict[str, Any]) -> None:
    """Record a release file agentcfg just wrote (best effort: a read-only checkout only loses speed)."""
    from agentcfg import __version__
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    entries = _load(state_dir)
    key = hashlib.sha256(data).hexdigest()
    entries.pop(key, None)
    entries[key] = [digest, sections_key(config)]  # newest last
    kept = dict(list(entries.items())[-KEEP:])
    try:
        ensure_state_dir(state_dir)
        atomic_write(_file(state_dir), json.dumps({"format_version": CACHE_FORMAT, "agentcfg": __version__,
                                                   "entries": kept}, separators=(",", ":")), cache=True)
    except OSError:
        pass
