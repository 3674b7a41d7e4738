"""`agentcfg verify`'s look at attestations: structure, place, and the hash in the file name.

The original evidence (a JUnit file) is usually a CI artefact that is gone, so it cannot be
re-hashed in general. When the file the attestation names is present, it is re-hashed and a
difference is a note, not a problem: CI rewrites that file on every run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from agentcfg.canonical import load_json
from agentcfg.errors import AgentcfgError
from agentcfg.evidence import store
from agentcfg.evidence.statement import check_statement
from agentcfg.project import Project


@dataclass
class AttestationCheck:
    path: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "problems": self.problems, "notes": self.notes}


def check_attestations(project: Project) -> list[AttestationCheck]:
    """Every file under `attestations/` in the working tree, checked."""
    return [_check(project, rel, data) for rel, data in store.working_files(project)]


def _check(project: Project, rel: str, data: bytes) -> AttestationCheck:
    result = AttestationCheck(rel)
    parts = rel.split("/")
    filename = parts[-1]
    if len(parts) != 4 or not filename.endswith(".json"):
        result.problems.append("not where attest writes: attestations/<digest hex>/<name>/<time>-<hash>.json")
        return result
    tag = filename[:-5].rpartition("-")[2]
    if tag != store.content_tag(data):
        result.problems.append(f"its content does not match the hash in its name ({tag}): edited after it was "
                               "written")
    try:
        doc = load_json(data, rel, "the attestation", "")
    except AgentcfgError as exc:
        result.problems.append(exc.message)
        return result
    problems = check_statement(doc)
    if problems:
        result.problems += problems
        return result
    predicate = doc["predicate"]
    digest_hex, name = doc["subject"][0]["digest"]["sha256"], predicate["name"]
    if parts[1] != digest_hex or parts[2] != name:
        result.problems.append(f"it is about {name} on {digest_hex[:12]} but sits in {'/'.join(parts[:3])}/")
    _compare_evidence(project, predicate.get("evidence") or {}, result)
    return result


def _compare_evidence(project: Project, evidence: dict[str, Any], result: AttestationCheck) -> None:
    path = evidence.get("path")
    if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
        return
    file = project.root / path
    try:
        if file.is_symlink() or not file.is_file():
            return
        actual = hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return
    if actual == evidence.get("sha256"):
        result.notes.append(f"{path} is present and matches the recorded sha256")
    else:
        result.notes.append(f"{path} is present but differs from the recorded sha256 (rewritten by a later run?)")
