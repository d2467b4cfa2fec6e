"""The service as a whole: authentication, limits, bad input, load, isolation, OpenAPI."""
