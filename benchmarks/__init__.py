"""The export benchmark (``make bench``), kept out of the shipped apps.

- ``settings.py``: the benchmark's Django settings (its own database and media under ./bench/).
- ``site.py``: generates the benchmark site from a seed (``python -m benchmarks.site --pages N``).
- ``run.py``: the measurements, written into docs/performance.md (``python -m benchmarks.run``).
- ``time_stages.py``: times the stages after the API on a finished archive.
"""
