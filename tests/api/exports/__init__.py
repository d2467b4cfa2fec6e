"""What an ERP takes back: run files, the VERA export, webhooks, a generated client."""
