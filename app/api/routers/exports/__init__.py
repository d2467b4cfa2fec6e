"""What leaves the service for other systems: run files (Aedes VERA, XLSX, CSV) and webhooks."""
