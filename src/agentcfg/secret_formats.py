"""The credential formats agentcfg recognises, as RE2 patterns.

Every pattern here is compiled by RE2 (:mod:`agentcfg.secrets`), whose automaton scans text in
time linear in its length whatever the pattern: the text comes from pull requests and
``--reason``, and a backtracking engine lets one crafted value stall every CI run. RE2 has no
look-around and caps counted repetition at 1,000, which is why the shapes below are written
with fixed prefixes and open-ended ``{n,}`` tails; placeholders (``sk-xxxx…``) are told apart
after the match (:func:`agentcfg.secrets.is_placeholder`), not by look-ahead.

``docs/security.md`` lists the same formats; a test checks that every kind is listed there.
"""

from __future__ import annotations

from typing import NamedTuple


class SecretFormat(NamedTuple):
    kind: str
    pattern: str  # RE2 syntax, no capturing groups (the scanner adds one per format)


# Order matters where prefixes overlap: the first format that matches at a position names it
# (`sk-ant-` is Anthropic before it is the generic `sk-` of OpenAI).
FORMATS: tuple[SecretFormat, ...] = (
    # A private key is hidden whole: header, PEM headers (`Proc-Type:`), base64 body (also with
    # escaped newlines or on one line) and footer; without its footer, up to the end of the body.
    # The body excludes '-': the search for a footer then stops at the next '-', so a text of
    # ten thousand headers costs one pass, not one pass per header.
    SecretFormat("private key",
                 r"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
                 r"(?:(?:[\s\\]{0,4}[A-Za-z]{1,20}(?:-[A-Za-z]{1,20}){0,3}:[^\n\\]{0,200})*"
                 r"[A-Za-z0-9+/=\s\\]*?-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
                 r"|(?:[\s\\]{1,4}[A-Za-z0-9+/=]{16,})*)"),
    SecretFormat("Anthropic API key", r"sk-ant-[A-Za-z0-9_-]{20,}"),
    SecretFormat("OpenRouter API key", r"sk-or-v1-[0-9a-f]{32,}"),
    SecretFormat("OpenAI API key", r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"),
    SecretFormat("Google API key", r"AIza[0-9A-Za-z_-]{35}"),
    SecretFormat("Google OAuth client secret", r"GOCSPX-[0-9A-Za-z_-]{20,}"),
    SecretFormat("Google OAuth access token", r"ya29\.[0-9A-Za-z_-]{30,}"),
    SecretFormat("AWS access key id", r"(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}"),
    SecretFormat("AWS secret access key",
                 r"(?i)aws_?secret_?access_?key[\"']?\s{0,5}[:=]\s{0,5}[\"']?[A-Za-z0-9/+]{40}"),
    SecretFormat("Azure storage account key", r"(?i)(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{30,}={0,2}"),
    SecretFormat("Azure SAS token", r"[?&]sig=[A-Za-z0-9%+/]{30,}"),
    SecretFormat("Azure AD client secret", r"\b[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"),
    SecretFormat("GitHub token", r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    SecretFormat("GitLab token", r"gl(?:pat|ptt|dt|rt|soat|ft|imt|agent)-[0-9A-Za-z_-]{20,}"),
    SecretFormat("Slack token", r"xox[abposr]-[A-Za-z0-9-]{10,}"),
    SecretFormat("Slack webhook URL", r"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}"),
    SecretFormat("Stripe key", r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{20,}"),
    SecretFormat("Stripe webhook secret", r"whsec_[A-Za-z0-9+/=]{24,}"),
    SecretFormat("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}"),
    SecretFormat("Groq API key", r"\bgsk_[A-Za-z0-9]{40,}"),
    SecretFormat("Replicate API token", r"\br8_[A-Za-z0-9]{30,}"),
    SecretFormat("xAI API key", r"\bxai-[A-Za-z0-9]{60,}"),
    SecretFormat("Perplexity API key", r"\bpplx-[A-Za-z0-9]{40,}"),
    SecretFormat("Fireworks API key", r"\bfw_[A-Za-z0-9]{20,}"),
    SecretFormat("Together API key", r"\btgp_v1_[A-Za-z0-9_-]{30,}"),
    SecretFormat("LangSmith API key", r"\blsv2_(?:pt|sk)_[0-9a-f]{32}_[0-9a-f]{10}"),
    SecretFormat("Pinecone API key", r"\bpcsk_[A-Za-z0-9_]{40,}"),
    SecretFormat("Databricks token", r"\bdapi[0-9a-f]{32}"),
    SecretFormat("DigitalOcean token", r"\bdo[opr]_v1_[0-9a-f]{64}"),
    SecretFormat("npm token", r"\bnpm_[A-Za-z0-9]{36}"),
    SecretFormat("PyPI token", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    SecretFormat("SendGrid API key", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    SecretFormat("JSON Web Token", r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    # user:password@ in a URL; documentation placeholders are filtered after the match.
    SecretFormat("credentials in URL", r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]{3,}@"),
)

# Keys whose literal value is a secret whatever it looks like.
SECRET_KEY_NAMES = (r"(?i)^(?:api[_-]?key|apikey|secret|client[_-]?secret|password|passwd|token|access[_-]?token"
                    r"|auth[_-]?token|private[_-]?key|aws[_-]?secret[_-]?access[_-]?key)$")
