"""What every stage shares: resource ids, resources and the ResMap, Go regular expressions."""
