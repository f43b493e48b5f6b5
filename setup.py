# cffi_modules has no pyproject.toml spelling; everything else lives in pyproject.toml.
from setuptools import setup

setup(cffi_modules=["monitor/_build.py:ffibuilder"])
