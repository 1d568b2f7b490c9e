"""Province-year simulations (issue 12): clients of the services' real HTTP APIs, outside every service."""
