"""Evidence: eval results bound to the root digest they were measured on (docs/evidence.md).

`attest` records JUnit XML or agentcfg's evidence JSON as an in-toto attestation under
`attestations/`, committed like a promotion; `require_evidence` in a policy makes `promote`
refuse a config without passing, fresh evidence on the digest it promotes.
"""

from __future__ import annotations

from agentcfg.evidence.recording import AttestResult, attest
from agentcfg.evidence.statement import Attestation

__all__ = ["AttestResult", "Attestation", "attest"]
