"""Benchmarks of gemini-sdk against the raw floor (httpx + stdlib json) and google-genai.

`python -m bench` (or `make bench`) runs every scenario once and prints a markdown table of
ratios measured in that run; `make bench-full` does the same in a venv that also has
google-genai installed. Nothing is written to disk.
"""
