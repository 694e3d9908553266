"""werkkring: a platform for networks of people who work in networks."""

__version__ = "0.1.0"
