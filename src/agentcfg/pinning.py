"""Is a model id pinned? One table of per-provider rules (floating aliases are flagged).

A pinned id names one immutable model: a dated snapshot (`gpt-4o-2024-08-06`,
`claude-3-5-sonnet-20241022`), a numbered version (`gemini-1.5-pro-002`), or an id its provider
documents as fixed. `latest`-style and undated ids float: the provider may change them under you.
"""

from __future__ import annotations

import re

_DATED = re.compile(r"(?:19|20)\d{2}-?\d{2}-?\d{2}|@\d{8}")
_FLOATING_WORDS = re.compile(r"(?i)(?:^|[-_:@./])(latest|preview|beta|exp|experimental|default|stable|current|next)"
                             r"(?:$|[-_:@./])")

# provider -> (pattern of ids the provider guarantees pinned, explanation)
PROVIDER_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "openai": (re.compile(r"-\d{4}-\d{2}-\d{2}$|^(text-embedding-3-(small|large)|text-embedding-ada-002)$"),
               "OpenAI pins dated snapshots (-YYYY-MM-DD); embedding model ids are fixed"),
    "anthropic": (re.compile(r"-\d{8}$"), "Anthropic pins ids ending in a date (-YYYYMMDD); '-latest' floats"),
    "google": (re.compile(r"-\d{3}$"), "Gemini pins numbered versions (-001, -002)"),
    "vertex": (re.compile(r"-\d{3}$|@\d{8}$"), "Vertex pins numbered versions or @YYYYMMDD"),
    "bedrock": (re.compile(r"-\d{8}-v\d+(:\d+)?$|-v\d+(:\d+)?$"), "Bedrock pins versioned ids (-v1:0)"),
    "azure": (re.compile(r"-\d{4}-\d{2}-\d{2}$"), "Azure OpenAI pins deployments by model version date"),
    "mistral": (re.compile(r"-\d{4}$"), "Mistral pins ids ending in a YYMM version; '-latest' floats"),
    "cohere": (re.compile(r"-\d{2}-\d{4}$|-v\d+(\.\d+)?$"), "Cohere pins dated (-MM-YYYY) or versioned ids"),
    "ollama": (re.compile(r"@sha256:[0-9a-f]{64}$"), "Ollama tags float; pin with @sha256:<digest>"),
    "huggingface": (re.compile(r"@[0-9a-f]{40}$"), "Hugging Face pins a model with @<commit sha>"),
}


def is_pinned(provider: str, model_id: str, declared: bool | None = None) -> tuple[bool, str]:
    """(pinned?, why) for a model id under its provider's rules. ``declared`` overrides."""
    if declared is not None:
        return declared, "declared with `pinned:`"
    if _FLOATING_WORDS.search(model_id):
        return False, "the id contains a floating alias word such as 'latest' or 'preview'"
    rule = PROVIDER_RULES.get(provider.lower())
    if rule is not None:
        pattern, why = rule
        return (bool(pattern.search(model_id)), why)
    if _DATED.search(model_id):
        return True, "the id carries a date"
    return False, f"no pinning rule for provider '{provider}' and the id has no date or version digest"
