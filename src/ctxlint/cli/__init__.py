"""The command line (click only): ``main`` holds the group; one module per command."""
