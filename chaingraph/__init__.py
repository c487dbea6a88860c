"""chaingraph: a city's industrial chains as a knowledge graph, queried from the command line."""

__version__ = "0.1.0"
__all__ = ["__version__"]
