"""Run the refunds agent's tools from the staging release, guarded, with a person approving refunds.

    python run_agent.py                       # asks you on the console before a refund
    python run_agent.py --approve-as "Ada"    # answers yes as Ada (for scripts and the demo)

No model, network or API key: the script makes the calls a model would ask for, so you can see
what the guard does with each. It loads releases/staging.json (verified against its digest),
builds the `refunds` agent's toolbox (its handlers are named in the manifest and live in src/),
and prints one event line per call: the lines your agent would ship to its logs or traces.
Promote a config to staging first (`agentcfg promote HEAD staging`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import agentcfg
from agentcfg.runtime import ApprovalRequest, Decision, ToolCallError, ToolCallEvent

HERE = Path(__file__).resolve().parent


def console_approver(approve_as: str | None) -> Any:
    """Show the request to a person on the console; their answer is the decision."""

    def approve(request: ApprovalRequest) -> Decision:
        print(f"  approval needed for {request['tool']}: {'; '.join(request['reasons'])}")
        print("  " + json.dumps(request["arguments"]))
        if approve_as:
            print(f"  approve? [y/N] y   (answered as {approve_as})")
            return Decision(approved=True, by=approve_as, reason="approved in the demo")
        answer = input("  approve? [y/N] ").strip().lower()
        return Decision(approved=answer in ("y", "yes"), by=os.environ.get("USER", "console"),
                        reason="answered on the console")

    return approve


def log_event(event: ToolCallEvent) -> None:
    print("  event " + json.dumps(event.to_dict(), sort_keys=True))


def attempt(box: agentcfg.Toolbox, tool: str, arguments: dict[str, Any]) -> None:
    print(f"\n> {tool} {json.dumps(arguments)}")
    try:
        print("  result " + json.dumps(box.call(tool, arguments)))
    except ToolCallError as exc:
        print(f"  refused ({type(exc).__name__}): {exc.reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="staging", help="the environment whose release to load")
    parser.add_argument("--approve-as", metavar="NAME", help="approve every request as NAME without asking")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE / "src"))  # where the manifest's `handler: support_tools:...` lives
    sys.dont_write_bytecode = True  # no __pycache__ in the project's working tree
    # The memory store's URL is a ${env:...} reference; these calls do not reach memory.
    environ = {"QDRANT_URL": "http://localhost:6333", **os.environ}
    config = agentcfg.load(args.env, root=HERE, environ=environ)
    box = config.toolbox("refunds", approve=console_approver(args.approve_as), on_call=log_event)
    print(f"{config.environment} {config.digest}: agent {box.agent}, tools {', '.join(box.names)}, "
          f"model {box.model.provider}/{box.model.id}")

    attempt(box, "lookup_order", {"order_id": "ORD-000123"})
    attempt(box, "send_email", {"ticket_id": "T-1", "subject": "Refund", "body": "Done!"})  # not this agent's
    attempt(box, "issue_refund", {"order_id": "ORD-000123", "amount": -5, "reason": "late"})  # invalid amount
    attempt(box, "issue_refund", {"order_id": "ORD-000123", "amount": 12.5, "reason": "late",
                                  "note": "parcel arrived a week late"})
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except agentcfg.AgentcfgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
