"""Stored scenarios and their runs: starting, solving, the limits per organisation, watching a
run, and the overview of an organisation's work."""
