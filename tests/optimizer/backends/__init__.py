"""The solvers behind the model: HiGHS, CBC, the guarded child process, PuLP's objects."""
