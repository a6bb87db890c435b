"""Ingestion: from the bytes of a submitted file to observations with cell provenance.

Pure Python, no Dagster and no DuckDB here: functions from bytes to rows, so that they can be
unit-tested on real files. The pipeline, in reading order:

    sniff      which format and encoding the bytes really are
    workbook   bytes -> sheets of typed cells (python-calamine; csv module for text)
    cells      what each cell holds: a number, a date, a marker, a known label, free text
    tables     where the tables are: header band, body rows, label and measure columns
    forms      label/value pairs and section headings outside tables
    identity   which country, report date and version the file states about itself
    submission the whole reading of one file: observations, ignored cells, quarantine
"""
