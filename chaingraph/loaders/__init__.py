"""Loaders: dataset files -> validated records."""
from .csvfiles import default_data_dir, load_dataset

__all__ = ["load_dataset", "default_data_dir"]
