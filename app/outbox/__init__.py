"""The email outbox: messages queued in the request's transaction, delivered later with retries."""
