from agentcfg.cli.entry import run

run()
