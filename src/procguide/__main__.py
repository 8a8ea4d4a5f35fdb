"""Allow ``python -m procguide``."""

from procguide.cli import main

main()
