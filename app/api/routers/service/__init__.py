"""The service itself: health, metrics, API keys and the audit trail."""
