"""Negotiations (sets of talks) and who takes part in them, in what role."""
