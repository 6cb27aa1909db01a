"""Terraform: plan JSON (``plan``), HCL source directories (``hcl``: evaluation,
modules, overrides and ``.tf.json``) and the mapping of both into the IAM graph."""
