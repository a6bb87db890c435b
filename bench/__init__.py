"""The benchmark (`make bench`): jad-warehouse against the limits of the machine."""
