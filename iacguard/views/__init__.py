"""Read-only views of the IAM graph for people: effective access, graph exports."""
