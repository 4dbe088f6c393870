"""The project pages, one module per part of the workspace; app.projects.router gathers them."""
