"""The web app: pages and the JSON API, on top of the actions layer."""
