"""Quality: the checks that prove a load, and the gate that keeps a failing one unpublished.

gate.py          what blocks a publish, read from the build database (one place)
checks.py        the same findings as Dagster asset checks, with their metadata
expectations.py  the Great Expectations suites (what the data must look like)
validation.py    running a suite with GX 1.x, Data Docs, results kept for the gate
"""
