"""Browser tests: a real headless Chromium against the running server."""
