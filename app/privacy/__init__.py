"""People's data (UK GDPR): download everything we hold about you, or delete your account."""
