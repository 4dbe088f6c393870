"""xAPI: statements about learning sent to an organisation's learning record store (LRS)."""
