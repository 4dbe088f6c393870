"""ESR: completions for the NHS Electronic Staff Record, mapped to an organisation's competence names."""
