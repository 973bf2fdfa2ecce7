"""Benchmarks for issue 6: every target as a ratio against a baseline measured in the same run."""
