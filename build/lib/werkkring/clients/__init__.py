"""Clients for services outside werkkring (HTTP is I/O, so these live outside the pure engines and implement
the engines' protocols)."""
