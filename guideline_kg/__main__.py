"""`python -m guideline_kg`: the same as the `guideline-kg` command."""

import sys

from guideline_kg.cli import main

sys.exit(main())
