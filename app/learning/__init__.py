"""The learner's own pages: reading modules, taking quizzes and the dashboard (composes content,
progress, quizzes and awards, so it sits above them all)."""
