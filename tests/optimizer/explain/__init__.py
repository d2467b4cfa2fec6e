"""The explanation and the diagnosis, each against independent re-solves."""
