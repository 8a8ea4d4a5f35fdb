"""Document: a validated procedure, a patient and a clinic in, the resolved handout out.

The second stage. ``build`` makes the personalised document every format renders:
absolute dates and times (``schedule``), the items that apply, and every phrase in the
patient's language (``wording``). It reads content; it knows nothing of formats.
"""
