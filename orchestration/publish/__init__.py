"""Publishing: the build database becomes the published warehouse, atomically."""
