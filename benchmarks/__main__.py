"""`python -m benchmarks [--smoke]`: run every benchmark and print the report."""

from __future__ import annotations

from benchmarks.report import main

raise SystemExit(main())
