"""Relay cursors over Sentry's paging: the cursor format (`pagination`), exact paging by
value (`seek`, pure), and the calls it makes (`traversal`)."""
