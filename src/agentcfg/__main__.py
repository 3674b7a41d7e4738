from agentcfg.cli.app import main

raise SystemExit(main())
