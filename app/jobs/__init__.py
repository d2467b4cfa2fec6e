"""Background solving: the embedded runner (worker processes beside the API)."""
