"""jad-warehouse: ingestion (structure) and orchestration of the JAD results warehouse."""
