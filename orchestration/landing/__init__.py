"""Landing: files of raw/ into the `raw` schema of the build database, idempotently."""
