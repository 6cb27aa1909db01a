# Case: output_literal_key
# A literal access key pair written into an output.
# expect: IAM101 on output.deploy_credentials (key ID and secret); the secret never printed
output "deploy_credentials" {
  value = {
    id     = "AKIAIOSFODNN7EXAMPLE"
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  }
}
