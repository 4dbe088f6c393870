"""Silver QI projects: the workspace (aim, drivers, measures, data, PDSA cycles, charts) and sign-off."""
