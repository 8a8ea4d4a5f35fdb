"""Teaching records: what the nurse ticked on the teach-back sheet, as one JSON line each.

``line`` is the record's shape and its JSON Schema, ``ticked`` checks what the nurse gives,
``make`` turns it into a record against the procedure's content, ``read`` takes it from a
JSON or CSV file, and ``store`` appends the lines to the file the user names.
"""
