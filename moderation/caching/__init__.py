"""Public reads a CDN or a browser may cache: a per-article version that every change visible
to readers bumps, the validators derived from it, and the event that tells the site to purge."""
