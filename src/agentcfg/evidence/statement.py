"""The attestation file: an in-toto Statement v1 whose subject is a root digest.

    {"_type": "https://in-toto.io/Statement/v1",
     "subject": [{"name": "<environment>", "digest": {"sha256": "<64 hex>"}}],
     "predicateType": PREDICATE_TYPE,
     "predicate": {"name", "format", "verdict", "summary", "metrics", "evidence", "created", ...}}

in-toto is what supply-chain tools (SLSA, Sigstore's cosign, GitHub's artifact attestations)
read, so an attestation can later be signed or exported without changing its shape. The file is
deterministic JSON (sorted keys, 2-space indent); its name carries the sha256 of its bytes, which
is how `verify` notices an attestation edited after the fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://github.com/agentcfg/agentcfg/attestation/eval/v1"
FORMATS = ("junit", "json")
VERDICTS = ("passed", "failed")
_HEX64 = re.compile(r"^[0-9a-f]{64}\Z")
_CREATED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z")
_COUNTS = ("tests", "passed", "failed", "errors", "skipped")


@dataclass(frozen=True)
class Attestation:
    """One attestation file, read back: where it is and what it says."""

    path: str  # relative to the manifest folder: attestations/<hex>/<name>/<file>
    digest: str  # sha256:<hex>, the subject
    name: str
    verdict: str
    format: str
    summary: dict[str, Any]
    metrics: dict[str, float]
    created: str  # ISO 8601, UTC, microseconds: two attestations of one name in a second stay ordered
    attester: dict[str, str]
    reason: str | None = None
    environment: str | None = None
    source: str | None = None
    command: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    failures: tuple[str, ...] = ()

    @property
    def timestamp(self) -> float:
        return parse_created(self.created)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "digest": self.digest, "name": self.name, "verdict": self.verdict,
                "format": self.format, "summary": self.summary, "metrics": self.metrics, "created": self.created,
                "attester": self.attester, "reason": self.reason, "environment": self.environment,
                "source": self.source, "command": self.command, "evidence": self.evidence,
                "failures": list(self.failures)}


CREATED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def created_now(now: float | None = None) -> str:
    moment = datetime.fromtimestamp(now, timezone.utc) if now is not None else datetime.now(timezone.utc)
    return moment.strftime(CREATED_FORMAT)


def parse_created(text: str) -> float:
    return datetime.strptime(text, CREATED_FORMAT).replace(tzinfo=timezone.utc).timestamp()


def build_statement(*, digest: str, env_label: str, predicate: dict[str, Any]) -> dict[str, Any]:
    return {"_type": STATEMENT_TYPE,
            "subject": [{"name": env_label, "digest": {"sha256": digest.removeprefix("sha256:")}}],
            "predicateType": PREDICATE_TYPE, "predicate": predicate}


def check_statement(doc: Any) -> list[str]:
    """Every structural problem of an attestation document (empty: well-formed)."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    problems: list[str] = []
    if doc.get("_type") != STATEMENT_TYPE:
        problems.append(f"_type is {doc.get('_type')!r}, not {STATEMENT_TYPE}")
    if doc.get("predicateType") != PREDICATE_TYPE:
        problems.append(f"predicateType is {doc.get('predicateType')!r}, not {PREDICATE_TYPE}")
    subject = doc.get("subject")
    if not (isinstance(subject, list) and len(subject) == 1 and isinstance(subject[0], dict)
            and isinstance(subject[0].get("digest"), dict)
            and _HEX64.fullmatch(str(subject[0]["digest"].get("sha256", "")))):
        problems.append("subject must be one entry whose digest.sha256 is 64 lower-case hex digits")
    p = doc.get("predicate")
    if not isinstance(p, dict):
        return problems + ["predicate is missing or not an object"]
    for key, kinds in (("name", str), ("format", str), ("verdict", str), ("created", str), ("summary", dict),
                       ("metrics", dict), ("evidence", dict), ("attester", dict)):
        if not isinstance(p.get(key), kinds):
            problems.append(f"predicate.{key} is missing or not a {kinds.__name__}")
    if problems:
        return problems
    if p["format"] not in FORMATS:
        problems.append(f"predicate.format {p['format']!r} is not one of {', '.join(FORMATS)}")
    if p["verdict"] not in VERDICTS:
        problems.append(f"predicate.verdict {p['verdict']!r} is not one of {', '.join(VERDICTS)}")
    if not _CREATED.fullmatch(p["created"]):
        problems.append(f"predicate.created {p['created']!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC)")
    problems += _check_summary(p["summary"])
    if not all(isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
               for k, v in p["metrics"].items()):
        problems.append("predicate.metrics must map names to numbers")
    if not _HEX64.fullmatch(str(p["evidence"].get("sha256", ""))):
        problems.append("predicate.evidence.sha256 is not 64 lower-case hex digits")
    return problems


def _check_summary(summary: dict[str, Any]) -> list[str]:
    counts = [summary.get(k) for k in _COUNTS]
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
        return [f"predicate.summary needs whole numbers >= 0 for {', '.join(_COUNTS)}"]
    tests, passed, failed, errors, skipped = counts
    problems = []
    if passed + failed + errors + skipped != tests:
        problems.append(f"predicate.summary: tests is {tests} but the outcomes add up to "
                        f"{passed + failed + errors + skipped}")
    executed = passed + failed + errors
    expected = round(passed / executed, 6) if executed else None
    if summary.get("pass_rate") != expected:
        problems.append(f"predicate.summary.pass_rate is {summary.get('pass_rate')!r}, the counts give {expected!r}")
    return problems


def from_statement(doc: dict[str, Any], path: str) -> Attestation:
    """An :class:`Attestation` from a document :func:`check_statement` found well-formed."""
    p = doc["predicate"]
    return Attestation(
        path=path, digest="sha256:" + doc["subject"][0]["digest"]["sha256"], name=p["name"],
        verdict=p["verdict"], format=p["format"], summary=dict(p["summary"]), metrics=dict(p["metrics"]),
        created=p["created"], attester={k: str(v) for k, v in p["attester"].items()}, reason=p.get("reason"),
        environment=p.get("environment"), source=p.get("source"), command=p.get("command"),
        evidence=dict(p["evidence"]), failures=tuple(str(f) for f in p.get("failures") or ()))
