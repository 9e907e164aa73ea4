"""Running sportello: metrics, health checks and structured logs."""
