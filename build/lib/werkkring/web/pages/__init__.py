"""Page routers, one module per subject: parse the request, read, and call actions for every write."""
