"""Sweeps, what-if runs and comparisons through the API."""
