"""The manifest (`agentcfg.yaml`): its model, its loader, and environment overlays."""
