#!/usr/bin/env bash
# The README's first command runs this: agentcfg's whole loop on the bundled example, in a
# temporary git repository. Each step prints the command it runs; any unexpected failure stops
# the demo with that command's exit code.
set -euo pipefail
command -v agentcfg >/dev/null || { echo "agentcfg is not on PATH (activate the venv first)" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/agentcfg-demo.XXXXXX")"
trap 'echo; echo "The demo repository is left in $work for you to explore."' EXIT
cd "$work"
export NO_COLOR=1 GIT_CONFIG_NOSYSTEM=1
git init -q   # whatever branch name git picks: nothing in the example names one
git config user.name "agentcfg demo"
git config user.email "demo@example.com"
git config commit.gpgsign false

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
# A step whose non-zero exit is the point (e.g. a CI gate that must fail).
expect_fail() { printf '\n\033[1m$ %s\033[0m   # expected to exit 1\n' "$*"; if "$@"; then echo "unexpected success" >&2; exit 1; fi; }

echo "== 1. A project from the bundled example, committed"
step agentcfg init --example support-agent .
git add -A && git commit -qm "support-agent: initial manifest"

echo; echo "== 2. Validate and lock (CI runs: validate, lock --check)"
step agentcfg validate
step agentcfg lock
git add agentcfg.lock && git commit -qm "lock"
step agentcfg lock --check

echo; echo "== 3. Promote the commit to staging, then staging to production"
step agentcfg promote HEAD staging --reason "first release"
step agentcfg promote staging production --reason "first release"

echo; echo "== 3b. The refunds agent runs from the staging release: every tool call guarded, refunds approved"
# the python that runs agentcfg (its console script's interpreter), so `import agentcfg` works
py="$(sed -n '1s/^#!//p' "$(command -v agentcfg)")"
"$py" -c "import agentcfg" 2>/dev/null || py=python3
step "$py" run_agent.py --approve-as "demo lead"

echo; echo "== 4. A pull request: a tool turns destructive, a prompt changes"
sed -i.bak 's/destructiveHint: false/destructiveHint: true/' tools/send_email.yaml
sed -i.bak 's|send_email: {file: tools/send_email.yaml}|send_email: {file: tools/send_email.yaml, approval: required}|' agentcfg.yaml
rm -f tools/send_email.yaml.bak agentcfg.yaml.bak
printf '\nAlways confirm the order number before answering.\n' >> prompts/triage.md
step agentcfg lock
git add -A && git commit -qm "send_email may now delete drafts (approval required); triage asks for order numbers"
step agentcfg diff HEAD~1 HEAD
expect_fail agentcfg diff HEAD~1 HEAD --fail-on critical

echo; echo "== 5. Ship it (the release owner approves the risk), then an incident: roll back"
step agentcfg promote HEAD staging --reason "email drafts"
step agentcfg promote staging production --approve "reviewed by the support lead" --reason "email drafts"
step agentcfg rollback production --reason "refund emails misfiring"
expect_fail agentcfg promote staging production --reason "too soon: production is on hold"
step agentcfg history production
step agentcfg status
step agentcfg verify production
