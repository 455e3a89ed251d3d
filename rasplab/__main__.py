"""`python -m rasplab` is the `rasp` command."""

from rasplab.cli import main

raise SystemExit(main())
