"""Silver cohorts: trainers run cohorts of learners through workshops and improvement projects."""
