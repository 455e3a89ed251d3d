"""`python -m rasp` is the `rasp` command."""

from rasp.cli import main

raise SystemExit(main())
