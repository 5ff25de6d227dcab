"""Running the service for real (issue 11): database gauges for /metrics and /readyz."""
