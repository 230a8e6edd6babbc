"""What every layer uses: errors a person can act on, files read and written safely and within bounds,
text checks and wrapping, the base models, where the shipped data lives, and the cache.

Imports nothing of selfcheck outside this package."""
