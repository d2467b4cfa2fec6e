"""The workshop's use cases: budget sweeps, what-if runs and the comparison of runs."""
