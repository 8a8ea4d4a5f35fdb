"""Lint: procedure content in, findings about its readability and completeness out."""
