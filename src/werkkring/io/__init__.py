"""Reading and writing files: turn CSV/TSV into engine inputs, naming file, line and column of bad rows."""
