"""What a data steward works with: the quarantine grouped by problem, the seed rows and
template hints that would resolve each group (proposed, never applied silently), and the
validated append of an edited suggestions file to the seeds (docs/architecture.md)."""
