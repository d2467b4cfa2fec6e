"""The catalogue through the API: entities, units, bulk imports, ETags."""
