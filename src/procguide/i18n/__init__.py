"""Languages: codes, message catalogs of the fixed text, and dates in the patient's language."""
