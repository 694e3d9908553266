"""Use cases: every change of state goes through a function here (one module per subject), used alike by the
web app, the API, the CLI and batch jobs. Each takes an open SQLAlchemy session (the caller owns the
transaction, so a failure rolls back everything), checks permission, writes, and records an audit entry."""
