"""Built-in checks: ordinary plugins, one module per rule family of the catalog."""
