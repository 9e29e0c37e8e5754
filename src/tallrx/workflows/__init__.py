"""End-to-end workflows: io -> tidy -> analysis, returning every intermediate table."""
