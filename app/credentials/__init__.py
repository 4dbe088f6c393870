"""Credentials: Open Badges 3.0 signing, baking and CPD certificates (pure engine, no DB, no web)."""
