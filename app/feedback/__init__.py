"""Feedback: learners rate modules (and workshop sessions); trainers and leaders read it."""
