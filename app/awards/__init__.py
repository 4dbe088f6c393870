"""Awards: the one domain that knows what a person has earned, and when (Bronze, Silver, Gold)."""
