"""`python -m catalog.cli`, as the `curagraph` script."""

from catalog.cli import main

main()
