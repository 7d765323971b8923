"""A whole exam session: the input folder (folder, names), the output folder it owns (outdir,
store), the warm killable worker pool (limits, pool, job, isolation), the batch that ties them
(batch) and the data it hands to the renderings (model)."""
