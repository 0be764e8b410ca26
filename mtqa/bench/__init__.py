"""`mtqa bench`: benchmark sets with gold edits (`sets`, `corrupt`), ERRANT-style metrics
(`metrics`), baseline detectors (`baselines`), the runner (`run`), its tables and plots."""
