"""Benchmarks: `.venv/bin/python bench/run.py` (see README). Not part of `make test`."""
