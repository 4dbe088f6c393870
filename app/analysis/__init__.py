"""Run chart and SPC analysis: the statistics engine, its API and its charts."""
