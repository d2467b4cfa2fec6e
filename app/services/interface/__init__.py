"""How the service answers any client: idempotent requests, ETags, links and cursor pagination."""
