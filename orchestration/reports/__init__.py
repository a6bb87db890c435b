"""What people read: console summaries and the operation report."""
