"""Files in and out: turn CSV, TSV and JSONL files into plain inputs for actions and engines, reporting every
bad row with its file, line number and column."""
