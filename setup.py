"""Everything is in setup.cfg but the package list: the shipped dataset lives in data/ at the top
of the repository (where people edit it) and is installed as the package `chaingraph._data`
(setup.cfg maps it), which `find_packages` cannot see."""
from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["chaingraph", "chaingraph.*"]), "chaingraph._data"])
