"""The FPDS procurement source: feed documents, their mapping to D1 rows, and incremental loads."""
