"""Evidence: eval results bound to the root digest they were measured on (docs/evidence.md).

`attest` records JUnit XML or agentcfg's evidence JSON as an in-toto attestation under
`attestations/`, committed like a promotion; `require_evidence` in a policy makes `promote`
refuse a config without passing, fresh evidence on the digest it promotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentcfg.evidence.recording import AttestResult, attest
    from agentcfg.evidence.statement import Attestation

__all__ = ["AttestResult", "Attestation", "attest"]

_HOMES = {"AttestResult": "recording", "attest": "recording", "Attestation": "statement"}


def __getattr__(name: str) -> Any:
    # Resolved on first use: recording pulls in promotion and the manifest models (~0.2 s), and
    # `diff` only needs the evidence store to show metric deltas.
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'agentcfg.evidence' has no attribute '{name}'")
    from importlib import import_module

    return getattr(import_module(f"agentcfg.evidence.{home}"), name)
