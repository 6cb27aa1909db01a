"""The account as input: authorization details and the credential report."""
