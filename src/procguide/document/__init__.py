"""Document: a validated procedure, a patient and a clinic in, the resolved handout out.

The second stage. ``patient`` checks the details a clinician gives; ``build`` makes the
personalised document every format renders (typed in ``types``): the items that apply, the
timed sections with absolute dates and times (``timeline``, ``schedule``), and every phrase
in the patient's language (``wording``). It reads content; it knows nothing of formats.
"""
