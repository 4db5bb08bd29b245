"""The Archive area of the Wagtail admin (registered in static_export/wagtail_hooks.py).

Snapshots listed, frozen, followed, verified, compared, browsed, downloaded and deleted:
- ``snapshots.py``: the viewset, its list, the freeze form's view, a snapshot's page and delete;
- ``actions.py``: what a snapshot's page posts (cancel, verify now) and its progress as JSON;
- ``compare.py``, ``browse.py``, ``downloads.py``: a snapshot's files, read-only;
- ``forms.py``, ``summary.py``, ``permissions.py``: the freeze form, what the screens say of a
  snapshot, and who may do what.

The snapshot store (every version of each site, read from the OCFL store): ``store.py`` (its screen
and Verify per version).

The static copy kept up to date as content changes: ``static_copy.py`` (its screen, Retry, the
dashboard panel).
"""
