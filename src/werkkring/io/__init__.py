"""File formats: turn files into engine inputs and results into files; report bad rows with file and line."""
