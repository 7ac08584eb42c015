"""Benchmarks: the mock against a bare Starlette ceiling and Prism, streams, store scale.

Run with ``nox -s bench`` (or ``python bench/run.py``); ``--smoke`` is the seconds-long check CI
runs. See ``docs/benchmarks.md`` for the results and ``bench/run.py --help`` for the options.
"""
