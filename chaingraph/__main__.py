"""`python -m chaingraph` runs the command line."""
from chaingraph.cli import main

main()
