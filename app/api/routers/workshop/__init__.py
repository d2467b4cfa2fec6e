"""The workshop's questions: compare runs, what-ifs on a run, sweeps of a budget or a share."""
