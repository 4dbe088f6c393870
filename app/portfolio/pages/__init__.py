"""Portfolio pages, one module per part (app/portfolio/router.py lists them)."""
