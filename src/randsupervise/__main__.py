"""``python -m randsupervise``: the command line."""

from randsupervise.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
