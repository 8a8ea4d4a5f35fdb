"""Batch: a roster of patients in, one file per row and format and a manifest out.

``roster`` reads and checks rows, ``plan`` names their files and decides what to make,
``worker`` makes documents through the same pipeline as one handout, ``run`` ties them up.
"""
