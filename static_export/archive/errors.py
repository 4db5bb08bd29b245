class ExportError(Exception):
    """The export cannot produce a complete, correct archive; the message names what is at fault."""


class ExportCancelled(ExportError):
    """Someone asked the export to stop; the previous archive is as it was."""
