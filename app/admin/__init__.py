"""Administration: users (roles, deactivation, reset links), organisations and the audit log."""
