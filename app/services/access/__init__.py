"""Who may do what: API keys, the audit log and signing in to the web pages."""
