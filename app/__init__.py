"""Parley: where each side of a negotiation stands on each term, over time, with sources."""
