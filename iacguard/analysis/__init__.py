"""What AWS would decide: effective permissions per action, resource and condition, who
can assume whom, who is privileged and why, and whether MFA is enforced.

Checks and views ask this package; it imports no check and no view.
"""
