"""An invented population at a given scale, for the benchmarks (issue 10)."""
