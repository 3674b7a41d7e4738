"""Generated credentials in the shapes providers issue them (none is a real key), and the
documentation placeholders that must never be mistaken for one."""

from __future__ import annotations

import base64
import json
import random
import string

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"
_HEX = "0123456789abcdef"
_UPPER_DIGITS = string.ascii_uppercase + string.digits
_B64 = _ALNUM + "+/"


def _pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _private_key(rng: random.Random, label: str) -> str:
    body = "\n".join(_pick(rng, _B64, 64) for _ in range(12))
    return f"-----BEGIN {label}-----\n{body}\n{_pick(rng, _B64, 20)}==\n-----END {label}-----"


def tokens(seed: int = 7) -> list[tuple[str, str]]:
    """(kind, token) pairs: several shapes per provider where providers issue several."""
    r = random.Random(seed)
    jwt = (f"{_b64url({'alg': 'HS256', 'typ': 'JWT'})}.{_b64url({'sub': '1234567890', 'iat': 1516239022})}."
           f"{_pick(r, _URLSAFE, 43)}")
    return [
        ("private key", _private_key(r, "RSA PRIVATE KEY")),
        ("private key", _private_key(r, "PRIVATE KEY")),
        ("private key", _private_key(r, "OPENSSH PRIVATE KEY")),
        ("private key", _private_key(r, "EC PRIVATE KEY")),
        ("Anthropic API key", f"sk-ant-api03-{_pick(r, _URLSAFE, 93)}AA"),
        ("Anthropic API key", f"sk-ant-admin01-{_pick(r, _URLSAFE, 93)}AA"),
        ("OpenRouter API key", f"sk-or-v1-{_pick(r, _HEX, 64)}"),
        ("OpenAI API key", f"sk-proj-{_pick(r, _URLSAFE, 156)}"),
        ("OpenAI API key", f"sk-svcacct-{_pick(r, _URLSAFE, 156)}"),
        ("OpenAI API key", f"sk-{_pick(r, _ALNUM, 48)}"),
        ("Google API key", f"AIza{_pick(r, _URLSAFE, 35)}"),
        ("Google OAuth client secret", f"GOCSPX-{_pick(r, _URLSAFE, 28)}"),
        ("Google OAuth access token", f"ya29.{_pick(r, _URLSAFE, 150)}"),
        ("AWS access key id", f"AKIA{_pick(r, _UPPER_DIGITS, 16)}"),
        ("AWS access key id", f"ASIA{_pick(r, _UPPER_DIGITS, 16)}"),
        ("AWS secret access key", f"aws_secret_access_key = {_pick(r, _B64, 40)}"),
        ("Azure storage account key", f"DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={_pick(r, _B64, 86)}==;"),
        ("Azure SAS token", f"https://acme.blob.core.windows.net/c?sv=2022-11-02&sig={_pick(r, _ALNUM, 43)}%3D"),
        ("Azure AD client secret", f"{_pick(r, _ALNUM, 3)}8Q~{_pick(r, _ALNUM, 34)}"),
        ("GitHub token", f"ghp_{_pick(r, _ALNUM, 36)}"),
        ("GitHub token", f"gho_{_pick(r, _ALNUM, 36)}"),
        ("GitHub token", f"ghs_{_pick(r, _ALNUM, 36)}"),
        ("GitHub token", f"github_pat_11{_pick(r, _UPPER_DIGITS, 20)}_{_pick(r, _ALNUM, 59)}"),
        ("GitLab token", f"glpat-{_pick(r, _URLSAFE, 20)}"),
        ("Slack token", f"xoxb-{_pick(r, string.digits, 12)}-{_pick(r, string.digits, 13)}-{_pick(r, _ALNUM, 24)}"),
        ("Slack token", f"xoxp-{_pick(r, string.digits, 12)}-{_pick(r, string.digits, 12)}-{_pick(r, _HEX, 32)}"),
        ("Slack webhook URL", (f"https://hooks.slack.com/services/T{_pick(r, _UPPER_DIGITS, 8)}/"
                               f"B{_pick(r, _UPPER_DIGITS, 8)}/{_pick(r, _ALNUM, 24)}")),
        ("Stripe key", f"sk_live_{_pick(r, _ALNUM, 99)}"),
        ("Stripe key", f"rk_live_{_pick(r, _ALNUM, 99)}"),
        ("Stripe webhook secret", f"whsec_{_pick(r, _ALNUM, 32)}"),
        ("Hugging Face token", f"hf_{_pick(r, _ALNUM, 34)}"),
        ("Groq API key", f"gsk_{_pick(r, _ALNUM, 52)}"),
        ("Replicate API token", f"r8_{_pick(r, _ALNUM, 37)}"),
        ("xAI API key", f"xai-{_pick(r, _ALNUM, 80)}"),
        ("Perplexity API key", f"pplx-{_pick(r, _ALNUM, 48)}"),
        ("Fireworks API key", f"fw_{_pick(r, _ALNUM, 24)}"),
        ("Together API key", f"tgp_v1_{_pick(r, _URLSAFE, 43)}"),
        ("LangSmith API key", f"lsv2_pt_{_pick(r, _HEX, 32)}_{_pick(r, _HEX, 10)}"),
        ("Pinecone API key", f"pcsk_{_pick(r, _ALNUM, 6)}_{_pick(r, _ALNUM, 60)}"),
        ("Databricks token", f"dapi{_pick(r, _HEX, 32)}"),
        ("DigitalOcean token", f"dop_v1_{_pick(r, _HEX, 64)}"),
        ("npm token", f"npm_{_pick(r, _ALNUM, 36)}"),
        ("PyPI token", f"pypi-AgEIcHlwaS5vcmc{_pick(r, _URLSAFE, 70)}"),
        ("SendGrid API key", f"SG.{_pick(r, _URLSAFE, 22)}.{_pick(r, _URLSAFE, 43)}"),
        ("JSON Web Token", jwt),
        ("credentials in URL", f"postgres://app:{_pick(r, _ALNUM, 20)}@db.internal:5432/app"),
        ("credentials in URL", f"https://deploy:{_pick(r, _ALNUM, 16)}@registry.example.org/v2/"),
    ]


# Text a manifest or a prompt legitimately holds that looks a little like a credential.
PLACEHOLDERS = [
    "http://user:password@host:port",
    "https://USER:PASSWORD@example.com",
    "postgres://app:${env:DB_PASSWORD}@db/app",
    "redis://:<password>@localhost:6379",
    "mysql://root:{password}@db",
    "https://user:$TOKEN@github.com/org/repo.git",
    "amqp://guest:****@broker",
    "https://user:your-password@host",
    "sk-...",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-your-key-here-0000000000000000000000",
    "<your-key>",
    "<YOUR_API_KEY>",
    "${env:OPENAI_API_KEY}",
    "${env:X}",
    "AKIAXXXXXXXXXXXXXXXX",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "Set OPENAI_API_KEY=sk-... before running.",
    "Use the hf_ prefix for Hugging Face tokens and gsk_ for Groq.",
    "the r8_ token from replicate.com/account",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "gpt-4o-2024-08-06",
    "claude-3-5-sonnet-20241022",
    "https://api.openai.com/v1/chat/completions",
    "git@github.com:org/repo.git",
    "ssh://git@github.com/org/repo.git",
    "mailto:support@example.com",
    "Contact ada@example.com or call +1-555-0100.",
    "the task-master-7 and disk-usage-summary-tool",
    "eyJ is how base64 JSON starts",
    "Return {{customer_name}} and {{order.id}} verbatim.",
    "api_key: ${env:OPENAI_API_KEY}",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----",
]
