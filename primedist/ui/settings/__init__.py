"""Settings pages (Settings tab)."""
