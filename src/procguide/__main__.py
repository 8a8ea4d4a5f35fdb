"""Allow ``python -m procguide``."""

from procguide.cli import main

# A batch's worker processes import this module again, under another name, to start.
if __name__ == "__main__":
    main()
