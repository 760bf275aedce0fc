"""eligo: find clinical trials a patient could join, and patients a trial could enrol."""

__version__ = "0.1.0"
