"""The seven artefact kinds (plus agents and policies): one module per kind.

Each module holds the kind's pydantic model; kind-specific checks live in
``agentcfg.checks``, risk rules in ``agentcfg.semdiff.risk``.
"""
