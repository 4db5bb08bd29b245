class ExportError(Exception):
    """The export cannot produce a complete, correct archive; the message names what is at fault."""
