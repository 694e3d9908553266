"""Files in and out: turns files into engine inputs, reporting bad rows with file, line and column."""
