"""Loaders: dataset files -> validated records (or straight into the compiled store)."""
from .csvfiles import default_data_dir, load_dataset, read_store

__all__ = ["load_dataset", "read_store", "default_data_dir"]
