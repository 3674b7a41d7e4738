"""A rollback copies the restored config's text from the old release file (ReleaseFile.dumps_reusing):
the result is what dumps() writes whenever the old file is canonical, and is still the right
release when it is not."""

from __future__ import annotations

import json
from dataclasses import replace

from agentcfg.canonical import digest_value
from agentcfg.release import ReleaseFile

CONFIG = {"format_version": 1, "name": "x", "prompts": {"p": {"template": "Hi {{name}}\n", "variables": ["name"]}},
          "tools": {"t": {"name": "t", "inputSchema": {"type": "object"}}}}
OLD = ReleaseFile(environment="production", digest=digest_value(CONFIG), source="a" * 40, action="promote",
                  from_="staging", reason="first", hold=False, config=CONFIG)


def _rollback_of(old: ReleaseFile) -> ReleaseFile:
    return replace(old, action="rollback", from_="b" * 40, reason="incident", hold=True)


def test_canonical_old_file_gives_exactly_dumps() -> None:
    new = _rollback_of(OLD)
    assert new.dumps_reusing(OLD.dumps(), OLD) == new.dumps()


def test_non_canonical_old_file_falls_back_to_dumps() -> None:
    new = _rollback_of(OLD)
    compact = json.dumps({**OLD.to_dict()}, separators=(",", ":"))
    assert new.dumps_reusing(compact, OLD) == new.dumps()


def test_hand_formatted_config_is_copied_as_written_and_still_correct() -> None:
    new = _rollback_of(OLD)
    canonical = OLD.dumps()
    config_text = json.dumps(CONFIG, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n  ")
    reformatted = canonical.replace(config_text, json.dumps(CONFIG, sort_keys=True))
    assert reformatted != canonical
    out = new.dumps_reusing(reformatted, OLD)
    assert json.dumps(CONFIG, sort_keys=True) in out  # byte for byte: a rollback restores the old config exactly
    assert json.loads(out) == new.to_dict()


def test_a_reason_that_spells_the_slot_falls_back() -> None:
    new = replace(_rollback_of(OLD), reason="@@agentcfg:config@@")
    assert new.dumps_reusing(OLD.dumps(), OLD) == new.dumps()


def test_another_config_is_never_spliced() -> None:
    other = replace(_rollback_of(OLD), config=dict(CONFIG))
    assert other.dumps_reusing(OLD.dumps(), OLD) == other.dumps()
