"""The archive layer: what an archive, its package and the snapshot store are on disk, and the tools
that write, check and read them. It imports nothing that needs Django's models or a database, so an
archivist can run it years later with the files alone (see __main__.py)."""
