"""Canary secrets in the shapes of real credentials (none is a real key)."""

CANARIES = {
    "openai": "sk-proj-CANARYa1b2c3d4e5f6g7h8i9j0k1l2m3n4",
    "anthropic": "sk-ant-api03-CANARYa1b2c3d4e5f6g7h8i9j0k1l2m3",
    "aws": "AKIACANARY0EXAMPLE12",
    "github": "ghp_CANARYa1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
}
