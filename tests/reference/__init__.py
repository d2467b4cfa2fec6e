"""Independent, deliberately simple reference implementation of the scenario contract.

It reads the plain JSON dict of a scenario (DESIGN §3) and never imports the optimizer, so that
the optimizer's results can be checked against it by brute-force enumeration.
"""
