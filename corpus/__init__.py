"""Deterministic generator of the raw corpus: what 33 police services send a coordinator
after a Joint Action Day, in their own formats and languages, plus the ground truth.

    python -m corpus seed         # raw/2020-09-se-europe-jad/submissions + ground truth
    python -m corpus synthetic    # large synthetic operations for the benchmark
    python -m corpus fault KIND   # the seed with exactly one thing wrong

The truth (model) is allocated from the published figures (allocation), rendered per
country by a layout (layouts) following the country's profile (profiles, the only place
with country-specific data), and written byte-deterministically (writers).
"""
