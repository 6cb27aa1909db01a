# Case: locals_literal_key
# A literal secret access key in locals, in an attribute named like a secret key.
# expect: IAM101 on the locals block (secret_access_key); the secret never printed
locals {
  region            = "us-east-1"
  access_key_id     = "AKIAI44QH8DHBEXAMPLE"
  secret_access_key = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
}
