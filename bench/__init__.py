"""The benchmark (`make bench`): bench/run.py. Nothing here is part of the application;
bench.settings adds the bench-only views only when BENCH=1."""
