"""Benchmarks at the scale of a large supplier; run them all with ``python -m bench``.

Every figure is printed beside a baseline measured in the same run on the same
machine, so ratios can be compared across machines. Nothing here is a test: no
timing is ever asserted.
"""
