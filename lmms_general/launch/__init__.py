"""Scale-out helpers: shard plans (``lmms-general plan``), the Ray / Slurm launcher (``lmms-general launch``),
merging shard outputs, and the cross-process index lock used by multi-process runs."""
