"""Stored scenarios, runs and synchronous solves through the API."""
