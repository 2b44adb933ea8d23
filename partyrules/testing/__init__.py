"""Tools for property-testing rule sets with hypothesis (requires the ``test`` extra)."""

from .strategies import fact_documents, with_omissions

__all__ = ["fact_documents", "with_omissions"]
