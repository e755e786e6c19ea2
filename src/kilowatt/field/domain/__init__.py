"""Field rules: appointment slots, a job's lifecycle, the guaranteed standard. Pure."""
