"""The version of partyrules, on the ground floor: reports carry it, and ``api`` may not import the package
that imports it."""

__version__ = "0.1.0"
