"""Reading certificate documents (PDFs and pictures): what kind of file, its text, and the fields on it.

Knows nothing of the database or of fetching: bytes in, a ``DocumentReading`` out.
"""
