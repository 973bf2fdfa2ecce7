"""Each attack of issue 10 replayed against a real server on loopback, with the fixed behaviour asserted."""
