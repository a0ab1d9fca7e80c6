"""Realistic synthetic articles for the benchmarks: one plan (plan.py), two ways out.

- plan.py: who wrote what, when, with which tags and status, deterministic for a seed;
- text.py: the words (Zipf-distributed), titles and 3-6 KB Markdown bodies;
- database.py: the plan inserted straight into the database, as an import would leave it (scale bench);
- files.py: the plan written as front-matter Markdown files (import bench).
"""
