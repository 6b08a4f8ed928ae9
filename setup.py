"""Only the C extension; everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

# optional: where it cannot be compiled (no C compiler), the package installs without it and the
# audit counts lines in Python instead, about three times slower (browsercheck._tally)
setup(ext_modules=[Extension("browsercheck._speedups", ["src/browsercheck/_speedups.c"], optional=True)])
