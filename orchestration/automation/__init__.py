"""Automation: the load job, the nightly schedule and the sensor on raw/."""
