"""Measuring apart from what is measured: the evaluation harness, the
textbook baseline, the data-set builders and the reader's training.

Nothing the app imports reaches this package (tests/test_structure.py checks
it); it has its own optional dependencies (``pip install -e ".[evaluation]"``).
"""
