"""procguide: personalised patient handouts from reviewed procedure content."""

__version__ = "0.1.0"
