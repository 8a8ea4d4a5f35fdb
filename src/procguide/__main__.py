"""The ``procguide`` command's entry point, and ``python -m procguide``."""

import sys


def run() -> None:
    """Load the command line and run it; Ctrl-C while it loads is one line, never a traceback."""
    try:
        from procguide.cli import main

        main()
    except KeyboardInterrupt:
        # Commands report their own Ctrl-C; this is one that came while Python was still
        # loading procguide, before any command started.
        try:
            sys.stderr.write("error: interrupted\n")
        except OSError:
            pass
        raise SystemExit(130) from None


# A batch's worker processes import this module again, under another name, to start.
if __name__ == "__main__":
    run()
