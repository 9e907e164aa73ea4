"""Personal data: recognised, masked, kept only as long as needed, exported and erased on request."""
