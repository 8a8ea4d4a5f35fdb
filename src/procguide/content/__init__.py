"""Content: YAML procedure files in, validated and frozen models out.

The first stage of the flow. ``yamlsafe`` parses strictly, ``model`` and ``validation``
check, ``library`` finds and caches procedures, ``translation`` checks a translation against
its English file. Nothing here knows about patients, formats or the command line.
"""
