"""A whole exam session: batch, warm killable worker pool, per-file job, resumable store."""
