"""Queries: one module per question, each a function `(graph, **options) -> list[dict]`."""
from .balance import balance
from .bottlenecks import bottlenecks
from .candidates import candidates
from .chains import chains
from .extend import extend
from .firms import firms
from .gaps import gaps
from .info import info
from .products import products
from .targets import targets
from .trace import trace
from .whatif import whatif

__all__ = ["info", "products", "chains", "firms", "targets", "trace",
           "gaps", "extend", "whatif", "balance", "bottlenecks", "candidates"]
