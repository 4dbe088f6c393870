"""Leaders' reports: registrations, completions, the funnel, cohorts, projects, quiz pass rates."""
