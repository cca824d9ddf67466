"""`python -m tanso.cli`: the `tanso` command (as `tanso verify --reperform` runs it)."""

from tanso.cli import main

if __name__ == "__main__":
    main()
