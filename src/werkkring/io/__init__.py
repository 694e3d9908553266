"""Reading and writing files: turns files into engine inputs, reporting bad rows with file, line and column."""
