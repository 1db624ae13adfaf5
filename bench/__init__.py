"""Benchmarks (`make bench`): figures for the README, never timed assertions in the test suite."""
