"""`python -m primedist` runs the CLI (the GUI when no subcommand is given)."""

from primedist.cli import main

raise SystemExit(main())
