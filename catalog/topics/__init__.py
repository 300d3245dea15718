"""The ontology learns from the data: topic discovery proposes concepts, a person accepts them into
the catalog's own extension (catalog/topics/discover.py, accept.py)."""

from catalog.topics.accept import Accepted, accept
from catalog.topics.discover import Discovery, Proposal, discover, load_proposal, save_proposals

__all__ = ["Accepted", "Discovery", "Proposal", "accept", "discover", "load_proposal", "save_proposals"]
