"""Tools for property-testing rule sets with hypothesis (requires the ``test`` extra)."""

from .strategies import document_paths, fact_documents, with_omissions
from .witnesses import Witness, can_be_satisfied, can_be_violated, find_witness, never_fire

__all__ = ["fact_documents", "with_omissions", "document_paths", "find_witness", "can_be_violated", "can_be_satisfied", "never_fire",
           "Witness"]
