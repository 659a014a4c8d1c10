"""Tepat: keeps a district's social-welfare register (DTKS) accurate and transparent."""
