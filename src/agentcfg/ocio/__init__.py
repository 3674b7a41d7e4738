"""Releases in OCI registries: ``agentcfg publish`` and ``agentcfg.load("oci://…")``.

Everything that touches a registry lives in this package, and only :mod:`agentcfg.ocio.client`
imports the OCI client library (oras-py, the optional extra ``agentcfg-gitops[oci]``).
"""

from __future__ import annotations

from agentcfg.ocio.publish import PublishResult, publish
from agentcfg.ocio.pull import Pulled, pull
from agentcfg.ocio.ref import OciRef, is_oci, parse_ref

__all__ = ["OciRef", "PublishResult", "Pulled", "is_oci", "parse_ref", "publish", "pull"]
