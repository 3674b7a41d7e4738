"""A config's sections are written from their artefacts' canonical bytes, each encoded once for
its digest: the bytes joined must be the canonical bytes of the section encoded whole, and the
prepared config must be what encoding each section whole gave."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_canonical_jcs import _DOCS, _KEYS

from agentcfg.canonical import NotCanonical, canonical_bytes, canonical_json, canonical_object

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _DOCS, max_size=6))
def test_members_joined_are_the_object_encoded_whole(section: dict[str, Any]) -> None:
    members = {key: canonical_bytes(value) for key, value in section.items()}
    assert canonical_object(members) == canonical_bytes(section)


def test_the_empty_object_and_refused_keys() -> None:
    assert canonical_object({}) == b"{}" == canonical_bytes({})
    with pytest.raises(NotCanonical):
        canonical_object({"\ud800": b"1"})
    with pytest.raises(NotCanonical):
        canonical_object({1: b"1"})  # type: ignore[dict-item]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "agentcfg.yaml").is_file()))
def test_prepared_sections_are_the_sections_encoded_whole(example: str) -> None:
    from agentcfg.manifest.loader import load_manifest
    from agentcfg.project import Project
    from agentcfg.rendering import RESOLVED_SECTIONS, prepare

    loaded = load_manifest(Project.find(EXAMPLES / example).worktree())
    if loaded.manifest is None:
        pytest.skip("the example does not type-check on its own")
    prepared, config = prepare(loaded.manifest)
    assert prepared.static == {k: canonical_json(v) for k, v in config.items() if k not in RESOLVED_SECTIONS}
