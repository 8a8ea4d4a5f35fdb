"""Render: a resolved document in, the bytes of one format out.

The third stage. ``templates`` runs the Jinja views for the text formats, ``pdf`` typesets
the Typst view, ``ics`` builds a calendar. It reads documents, never procedure files.
"""
