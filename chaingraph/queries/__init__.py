"""Queries: one module per question, each a function `(graph, **options) -> list[dict]`."""
from .chains import chains
from .firms import firms
from .info import info
from .products import products
from .targets import targets
from .trace import trace

__all__ = ["info", "products", "chains", "firms", "targets", "trace"]
