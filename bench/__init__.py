"""Benchmarks: latency, cold start, Telegram throughput and corpus scale."""
