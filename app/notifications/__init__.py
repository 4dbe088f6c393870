"""In-app notifications (the bell) and each person's choice of email for them."""
