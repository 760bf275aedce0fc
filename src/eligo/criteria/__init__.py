"""Eligibility criteria: segmentation, criteria derived from description prose, and cohorts."""

from eligo.criteria.segment import segment

__all__ = ["segment"]
