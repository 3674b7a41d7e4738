#!/usr/bin/env bash
# The README's first command: the whole agentcfg loop on the bundled example, in a temporary
# git repository. Every step prints what it does; any failure stops the demo with its exit code.
set -euo pipefail
command -v agentcfg >/dev/null || { echo "agentcfg is not on PATH (activate the venv)"; exit 2; }
work="$(mktemp -d)"
trap 'echo; echo "(demo repository left in $work)"' EXIT
cd "$work"
git init -q -b main
git config user.name "agentcfg demo"; git config user.email "demo@example.com"; git config commit.gpgsign false

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step agentcfg init --example support-agent .
git add -A && git commit -qm "support-agent: initial manifest"
step agentcfg validate
